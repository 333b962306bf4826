"""The composition root: the one place that names the classes behind the application's ports.

``ledger`` opens the event store and builds the ledger on it, ``read_side`` the read store, the
projections and their runners, ``maintenance`` what an operator's commands need (``db init``, the
audit store, the service role). The web app, the command line (and through it the demo year, which is
handed a ledger) and the benchmarks get everything they run on from here.
"""
