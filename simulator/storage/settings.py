"""SQL for service type settings revisions (run on the worker thread).

Every save appends a revision; nothing is overwritten, so the portal can show the history
and the hub always reads the newest revision.
"""

from __future__ import annotations

import sqlite3

from simulator.model import ServerCertification, ServiceType, ServiceTypeSettings, SettingsRevision
from simulator.storage.codec import now_utc, time_from_text, time_to_text
from simulator.storage.operators import require_operator

_NEWEST_PER_SERVICE_TYPE = """
    SELECT * FROM settings_revisions AS outer_rev
    WHERE operator_id = ?
      AND revision = (
        SELECT MAX(revision) FROM settings_revisions
        WHERE operator_id = outer_rev.operator_id AND service_type = outer_rev.service_type
      )
"""


def save_settings(
    connection: sqlite3.Connection,
    operator_id: str,
    service_type: ServiceType,
    settings: ServiceTypeSettings,
) -> SettingsRevision:
    """Append the next revision (1, 2, 3 … per operator and service type)."""
    require_operator(connection, operator_id)
    saved = SettingsRevision(
        operator_id=operator_id,
        service_type=service_type,
        revision=_next_revision(connection, operator_id, service_type),
        settings=settings,
        saved_at=now_utc(),
    )
    connection.execute(
        """
        INSERT INTO settings_revisions (
            operator_id, service_type, revision, online_request, broadcast_request,
            service_url, server_certification, saved_at
        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        _row_values(saved),
    )
    return saved


def current_settings(
    connection: sqlite3.Connection, operator_id: str, service_type: ServiceType
) -> SettingsRevision | None:
    row = connection.execute(
        """
        SELECT * FROM settings_revisions WHERE operator_id = ? AND service_type = ?
        ORDER BY revision DESC LIMIT 1
        """,
        (operator_id, service_type.value),
    ).fetchone()
    return None if row is None else _revision(row)


def settings_history(
    connection: sqlite3.Connection, operator_id: str, service_type: ServiceType
) -> list[SettingsRevision]:
    """Every revision, newest first."""
    rows = connection.execute(
        """
        SELECT * FROM settings_revisions WHERE operator_id = ? AND service_type = ?
        ORDER BY revision DESC
        """,
        (operator_id, service_type.value),
    ).fetchall()
    return [_revision(row) for row in rows]


def all_current_settings(
    connection: sqlite3.Connection, operator_id: str
) -> dict[ServiceType, SettingsRevision]:
    """The newest revision of each service type that has ever been saved."""
    rows = connection.execute(_NEWEST_PER_SERVICE_TYPE, (operator_id,)).fetchall()
    revisions = [_revision(row) for row in rows]
    return {rev.service_type: rev for rev in sorted(revisions, key=_portal_order)}


def _portal_order(revision: SettingsRevision) -> int:
    return list(ServiceType).index(revision.service_type)


def _next_revision(connection: sqlite3.Connection, operator_id: str, service: ServiceType) -> int:
    row = connection.execute(
        """
        SELECT COALESCE(MAX(revision), 0) + 1 FROM settings_revisions
        WHERE operator_id = ? AND service_type = ?
        """,
        (operator_id, service.value),
    ).fetchone()
    return int(row[0])


def _row_values(saved: SettingsRevision) -> tuple[object, ...]:
    settings = saved.settings
    return (
        saved.operator_id,
        saved.service_type.value,
        saved.revision,
        int(settings.online_request),
        int(settings.broadcast_request),
        settings.service_url,
        settings.server_certification.value,
        time_to_text(saved.saved_at, "saved_at"),
    )


def _revision(row: sqlite3.Row) -> SettingsRevision:
    return SettingsRevision(
        operator_id=row["operator_id"],
        service_type=ServiceType(row["service_type"]),
        revision=int(row["revision"]),
        settings=ServiceTypeSettings(
            online_request=bool(row["online_request"]),
            broadcast_request=bool(row["broadcast_request"]),
            service_url=row["service_url"],
            server_certification=ServerCertification(row["server_certification"]),
        ),
        saved_at=time_from_text(row["saved_at"]),
    )
