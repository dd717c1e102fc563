"""Min side's use cases: projections from events, page reads, requests and payments."""
