"""The infrastructure behind the application's and the projections' ports: PostgreSQL that fails fast,
the tables beside the log, the read stores. Only the bootstrap names these classes."""
