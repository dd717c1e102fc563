"""Adapters to the national services: Maskinporten, KRR, Digipost, KS Fiks SvarUt, Altinn."""
