"""Enterprise services: service items, agency cases, hotline tickets, commitments (SPEC §8)."""
