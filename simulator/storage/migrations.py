"""The versioned schema: migration steps applied in order, tracked in ``PRAGMA user_version``.

Add a step to the end of :data:`MIGRATIONS` to change the schema; never edit a released step,
since databases in the field have already run it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.storage.errors import StorageError
from simulator.storage.transaction import immediate_transaction


@dataclass(frozen=True)
class Migration:
    """One schema step: the version it produces and the statements that get there."""

    version: int
    description: str
    statements: tuple[str, ...]


_V1_TABLES = Migration(
    version=1,
    description="operators, settings revisions, uploaded certificates, exchange log",
    statements=(
        """
        CREATE TABLE operators (
            operator_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            reservation_path_style TEXT NOT NULL,
            timeout_s REAL NOT NULL
        )
        """,
        """
        CREATE TABLE settings_revisions (
            operator_id TEXT NOT NULL
                REFERENCES operators (operator_id) ON DELETE CASCADE,
            service_type TEXT NOT NULL,
            revision INTEGER NOT NULL,
            online_request INTEGER NOT NULL,
            broadcast_request INTEGER NOT NULL,
            service_url TEXT,
            server_certification TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (operator_id, service_type, revision)
        )
        """,
        """
        CREATE TABLE certificates (
            cert_id INTEGER PRIMARY KEY AUTOINCREMENT,
            operator_id TEXT NOT NULL
                REFERENCES operators (operator_id) ON DELETE CASCADE,
            pem TEXT NOT NULL,
            filename TEXT NOT NULL,
            subject TEXT NOT NULL,
            sans TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            not_before TEXT NOT NULL,
            not_after TEXT NOT NULL,
            uploaded_at TEXT NOT NULL,
            UNIQUE (operator_id, sha256)
        )
        """,
        # No foreign key on operator_id: the log also records sends for operators that are
        # not (or no longer) configured, and outlives an operator's deletion.
        """
        CREATE TABLE exchanges (
            exchange_id INTEGER PRIMARY KEY AUTOINCREMENT,
            operator_id TEXT,
            service_type TEXT,
            outcome TEXT NOT NULL,
            started_at TEXT NOT NULL,
            record TEXT NOT NULL
        )
        """,
    ),
)

_V2_EXCHANGE_FILTERS = Migration(
    version=2,
    description="exchanges.server_certification column and indexes for the log's filters",
    statements=(
        "ALTER TABLE exchanges ADD COLUMN server_certification TEXT",
        # Rows written by version 1 carry the mode only inside their JSON record.
        """
        UPDATE exchanges
        SET server_certification = json_extract(record, '$.server_certification')
        """,
        "CREATE INDEX exchanges_by_operator ON exchanges (operator_id, exchange_id)",
        "CREATE INDEX exchanges_by_outcome ON exchanges (outcome, exchange_id)",
    ),
)

_V3_PARTNERS_AND_SESSIONS = Migration(
    version=3,
    description="EMPs, contracts, sub-operators, EVSE data, pricing, sessions and CDRs",
    statements=(
        """
        CREATE TABLE emps (
            provider_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            offline_authorization INTEGER NOT NULL,
            online_request INTEGER NOT NULL,
            broadcast_request INTEGER NOT NULL,
            reachable INTEGER NOT NULL
        )
        """,
        # Identifications in their OICP wire form (JSON), in the order they were given.
        """
        CREATE TABLE emp_authentication_data (
            provider_id TEXT NOT NULL REFERENCES emps (provider_id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            identification TEXT NOT NULL,
            PRIMARY KEY (provider_id, position)
        )
        """,
        """
        CREATE TABLE contracts (
            provider_id TEXT NOT NULL REFERENCES emps (provider_id) ON DELETE CASCADE,
            operator_id TEXT NOT NULL REFERENCES operators (operator_id) ON DELETE CASCADE,
            service_type TEXT NOT NULL,
            PRIMARY KEY (provider_id, operator_id, service_type)
        )
        """,
        """
        CREATE TABLE sub_operators (
            sub_operator_id TEXT PRIMARY KEY,
            operator_id TEXT NOT NULL REFERENCES operators (operator_id) ON DELETE CASCADE
        )
        """,
        """
        CREATE TABLE evse_records (
            evse_id TEXT PRIMARY KEY,
            operator_id TEXT NOT NULL,
            is_hubject_compatible INTEGER NOT NULL,
            record TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX evse_records_by_operator ON evse_records (operator_id)",
        """
        CREATE TABLE evse_statuses (
            evse_id TEXT PRIMARY KEY,
            operator_id TEXT NOT NULL,
            status TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE pricing_products (
            operator_id TEXT NOT NULL,
            provider_id TEXT NOT NULL,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (operator_id, provider_id)
        )
        """,
        """
        CREATE TABLE evse_pricing (
            evse_id TEXT NOT NULL,
            provider_id TEXT NOT NULL,
            operator_id TEXT NOT NULL,
            product_ids TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (evse_id, provider_id)
        )
        """,
        # No foreign keys to operators or EMPs: a session's timeline outlives its partners.
        """
        CREATE TABLE sessions (
            session_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            provider_id TEXT NOT NULL,
            operator_id TEXT NOT NULL,
            evse_id TEXT,
            state TEXT NOT NULL,
            identification TEXT,
            emp_partner_session_id TEXT,
            cpo_partner_session_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX sessions_by_created ON sessions (created_at)",
        """
        CREATE TABLE session_events (
            event_id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            operation TEXT NOT NULL,
            label TEXT NOT NULL,
            direction TEXT NOT NULL,
            sender TEXT NOT NULL,
            request TEXT NOT NULL,
            response TEXT,
            result INTEGER,
            status_code TEXT,
            detail TEXT NOT NULL
        )
        """,
        "CREATE INDEX session_events_by_session ON session_events (session_id, event_id)",
        # The primary key is the rule "Hubject will accept only one CDR per SessionID".
        """
        CREATE TABLE cdrs (
            session_id TEXT PRIMARY KEY REFERENCES sessions (session_id) ON DELETE CASCADE,
            operator_id TEXT NOT NULL,
            record TEXT NOT NULL,
            received_at TEXT NOT NULL
        )
        """,
    ),
)

# Virtual columns are computed from the record when a query reads them, so the log's writer
# (on every request's path) writes exactly what it wrote before; the Process Monitor's
# filters on them scan at most the log's bound of rows. Records from before version 4 are
# all the hub's calls to CPOs.
_V4_EVERY_DIRECTION = Migration(
    version=4,
    description="exchanges of every direction, answer times and forwarding outcomes",
    statements=(
        """
        ALTER TABLE exchanges ADD COLUMN direction TEXT GENERATED ALWAYS AS
            (coalesce(json_extract(record, '$.direction'), 'hub-to-cpo')) VIRTUAL
        """,
        """
        ALTER TABLE exchanges ADD COLUMN partner_id TEXT GENERATED ALWAYS AS
            (coalesce(json_extract(record, '$.partner_id'), operator_id)) VIRTUAL
        """,
        """
        ALTER TABLE exchanges ADD COLUMN operation TEXT GENERATED ALWAYS AS
            (json_extract(record, '$.operation')) VIRTUAL
        """,
        """
        ALTER TABLE exchanges ADD COLUMN session_id TEXT GENERATED ALWAYS AS
            (json_extract(record, '$.session_id')) VIRTUAL
        """,
        """
        ALTER TABLE exchanges ADD COLUMN evse_id TEXT GENERATED ALWAYS AS
            (json_extract(record, '$.evse_id')) VIRTUAL
        """,
        # When the answer to a timeline message was known, and how its forwarding to the
        # other side went (an Outcome value; NULL when the hub answered it itself).
        "ALTER TABLE session_events ADD COLUMN answered_at TEXT",
        "ALTER TABLE session_events ADD COLUMN forward_outcome TEXT",
    ),
)

_V5_WIRE_PROFILE = Migration(
    version=5,
    description="operators choose the wire profile of the hub's requests (hbs or strict)",
    statements=("ALTER TABLE operators ADD COLUMN wire_profile TEXT NOT NULL DEFAULT 'hbs'",),
)

MIGRATIONS: tuple[Migration, ...] = (
    _V1_TABLES,
    _V2_EXCHANGE_FILTERS,
    _V3_PARTNERS_AND_SESSIONS,
    _V4_EVERY_DIRECTION,
    _V5_WIRE_PROFILE,
)
"""Every schema step, oldest first; versions run 1, 2, 3 … without gaps."""

SCHEMA_VERSION = MIGRATIONS[-1].version
"""The schema version this code writes and reads."""


def schema_version(connection: sqlite3.Connection) -> int:
    """The version recorded in the database file (0 for a new, empty database)."""
    row = connection.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def apply_migrations(
    connection: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS
) -> int:
    """Bring the database up to the last of ``migrations``; return the version it ends at.

    Each step commits on its own together with its version number, so a crash between steps
    leaves a consistent, older schema that the next open continues from. The version is read
    inside each step's write transaction, so two processes opening one old file cannot both
    apply the same step.
    """
    _check_sequence(migrations)
    known = migrations[-1].version if migrations else 0
    _refuse_newer(schema_version(connection), known)
    for step in migrations:
        with immediate_transaction(connection):
            # Read again under the write lock: another process may have upgraded meanwhile.
            current = schema_version(connection)
            _refuse_newer(current, known)
            if current < step.version:
                _apply(connection, step)
    return schema_version(connection)


def _apply(connection: sqlite3.Connection, step: Migration) -> None:
    for statement in step.statements:
        connection.execute(statement)
    # PRAGMA takes no parameters; the version is an int from this module, not user input.
    connection.execute(f"PRAGMA user_version = {int(step.version)}")


def _refuse_newer(current: int, known: int) -> None:
    if current > known:
        raise StorageError(
            f"database schema version {current} is newer than this hubsim supports "
            f"({known}); upgrade hubsim"
        )


def _check_sequence(migrations: Sequence[Migration]) -> None:
    versions = [step.version for step in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migration versions must run 1, 2, 3 … without gaps, got {versions}")
