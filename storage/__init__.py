"""The event store's recorders as the ledger configures them (selected by topic, never imported by the layers)."""
