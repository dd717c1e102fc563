"""The booking engine: payments in, matched, allocated and announced as whole sets."""
