"""A year of a subdistrict office's cases for demonstrations, recorded through the ledger's use cases."""
