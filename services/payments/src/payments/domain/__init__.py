"""The sub-ledger's pure domain: postings, balances, interest, allocation, matching, settlement."""
