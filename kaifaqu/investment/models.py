"""Investment promotion: events and leads (SPEC §7)."""
