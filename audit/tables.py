"""The audit tables beside the events table, and their DDL on each store.

``chain``: one link per stored event. ``checkpoints``: every signed checkpoint, as its JSON
document. ``identity_keys``: one key per protected person; deliberately not part of the chain, so
deleting a key erases an identity without touching the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

REFUSE_FUNCTION = "caseledger_refuse_change"


@dataclass(frozen=True)
class AuditTables:
    """Qualified names of the events table and the audit tables, as they appear in SQL text."""

    events: str
    chain: str
    checkpoints: str
    identity_keys: str

    @classmethod
    def sqlite(cls, events_table: str) -> AuditTables:
        return cls(events_table, "event_chain", "audit_checkpoints", "identity_keys")

    @classmethod
    def postgres(cls, schema: str, events_table: str) -> AuditTables:
        prefix = events_table.removesuffix("_events")
        return cls(
            _qualified(schema, events_table),
            _qualified(schema, f"{prefix}_event_chain"),
            _qualified(schema, f"{prefix}_audit_checkpoints"),
            _qualified(schema, f"{prefix}_identity_keys"),
        )


def _qualified(schema: str, table: str) -> str:
    return sql.Identifier(schema, table).as_string(None)


def sqlite_ddl(t: AuditTables) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {t.chain} (notification_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, "
        "digest BLOB NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {t.checkpoints} (id INTEGER PRIMARY KEY, last_notification_id INTEGER NOT NULL, "
        "log_size INTEGER NOT NULL, document TEXT NOT NULL, public_key TEXT NOT NULL, recorded_at TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {t.identity_keys} (person_id TEXT PRIMARY KEY, key BLOB NOT NULL, "
        "created_at TEXT NOT NULL)",
    ]


def postgres_ddl(t: AuditTables, schema: str) -> list[sql.Composed]:
    """Tables, and triggers that refuse UPDATE, DELETE and TRUNCATE even under replication role replica."""
    function = sql.Identifier(schema, REFUSE_FUNCTION)
    statements = [
        sql.SQL(
            f"CREATE TABLE IF NOT EXISTS {t.chain} (notification_id bigint PRIMARY KEY, seq bigint NOT NULL, "
            "digest bytea NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL)"
        ).format(),
        sql.SQL(
            f"CREATE TABLE IF NOT EXISTS {t.checkpoints} (id bigserial PRIMARY KEY, "
            "last_notification_id bigint NOT NULL, log_size bigint NOT NULL, document text NOT NULL, "
            "public_key text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())"
        ).format(),
        sql.SQL(
            f"CREATE TABLE IF NOT EXISTS {t.identity_keys} (person_id text PRIMARY KEY, key bytea NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        ).format(),
        # ANALYZE would copy sample keys into pg_statistic, where an erasure cannot reach them
        sql.SQL(f"ALTER TABLE {t.identity_keys} ALTER COLUMN key SET STATISTICS 0").format(),
        sql.SQL(
            "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
            "RAISE EXCEPTION 'caseledger: % on % refused: the audit log is append-only', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $body$"
        ).format(function),
    ]
    for table in (t.events, t.chain, t.checkpoints):
        trigger = sql.Identifier(f"{table.rsplit('.', 1)[1].strip(chr(34))}_append_only")
        statements += [
            sql.SQL(
                f"CREATE OR REPLACE TRIGGER {{}} BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION {}()"
            ).format(trigger, function),
            sql.SQL(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {{}}").format(trigger),
        ]
    return statements
