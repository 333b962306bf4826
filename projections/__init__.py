"""Read models built from the event log.

``store`` (read-model tables in the event store's database), ``base`` (what a projection is),
``runner`` (follows the log, one transaction per batch with its tracking position),
``case_index`` / ``case_row`` / ``case_listing`` (one row per case, and listing it).
"""
