"""The PostgreSQL service role: what the ledger's processes connect as.

It may read everything and append to the log, but it owns none of the log's tables, so it cannot
drop, alter or disable the append-only triggers. ``LOCK TABLE … IN EXCLUSIVE MODE``, which the library
takes to serialise writers, needs UPDATE (or DELETE, or TRUNCATE) on the events table: the service
role gets UPDATE, which the ``ENABLE ALWAYS`` trigger then refuses for every row.

On the identity keys it also has DELETE and TRUNCATE: an erasure deletes the key, then rewrites the
table (``TRUNCATE`` and the remaining rows written back) so that the key's bytes leave its files. That
is nothing an erasure could not already do (it may delete any key).

Tables the owner creates later (a rebuilt read model, a new one) are granted to it by default
privileges, so a rebuild never leaves the service without access to the tables it reads and writes.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from audit.recorders import ChainedPostgresRecorder

_OTHER_TABLES = sql.SQL(
    "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> ALL(%s) ORDER BY tablename"
)


def service_role_grants(recorder: ChainedPostgresRecorder, role: str, other_tables: list[str]) -> list[sql.Composed]:
    """The GRANT statements that make ``role`` the service role of this store."""
    t, schema, who = recorder.audit_tables, recorder.datastore.schema, sql.Identifier(role)

    def on(privileges: str, table: str) -> sql.Composed:
        return sql.SQL(f"GRANT {privileges} ON TABLE {table} TO {{}}").format(who)

    sequence = sql.Identifier(schema, f"{recorder.events_table_name}_notification_id_seq")
    checkpoints_seq = sql.Identifier(schema, f"{_bare(t.checkpoints)}_id_seq")
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), who),
        on("SELECT, INSERT, UPDATE", t.events),
        on("SELECT, INSERT", t.chain),
        on("SELECT, INSERT", t.checkpoints),
        on("SELECT, INSERT, DELETE, TRUNCATE", t.identity_keys),
        sql.SQL("GRANT USAGE, SELECT ON SEQUENCE {}, {} TO {}").format(sequence, checkpoints_seq, who),
    ]
    statements += [
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {} TO {}").format(sql.Identifier(schema, name), who)
        for name in other_tables
    ]
    statements += [
        sql.SQL(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {{}} GRANT {privileges} TO {{}}").format(
            sql.Identifier(schema), who
        )
        for privileges in ("SELECT, INSERT, UPDATE, DELETE ON TABLES", "USAGE, SELECT ON SEQUENCES")
    ]
    return statements


def grant_service_role(recorder: ChainedPostgresRecorder, role: str) -> list[str]:
    """Grant ``role`` the service role's privileges (run as the tables' owner); return the SQL run.

    Tables other than the log's (snapshots, read models) get full DML: they are derived data.
    """
    protected = [_bare(name) for name in (recorder.audit_tables.__dict__.values())]
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(_OTHER_TABLES, (recorder.datastore.schema, protected))
        others = [row["tablename"] for row in cursor.fetchall()]
        statements = service_role_grants(recorder, role, others)
        for statement in statements:
            cursor.execute(statement)
        return [s.as_string(_connection(cursor)) for s in statements]


def _bare(qualified: str) -> str:
    return qualified.rsplit(".", 1)[1].strip('"')


def _connection(cursor: Any) -> Any:
    return cursor.connection
