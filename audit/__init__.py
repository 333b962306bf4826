"""Tamper evidence for the ledger's log: a hash chain written with the events, signed checkpoints,
verification, evidence bundles, and the keys that protect confidential identities."""
