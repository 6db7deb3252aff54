"""The portal's addresses, written once: handlers redirect to them and templates link to them.

OperatorIDs keep their literal ``*`` in paths (``/portal/operators/DE*ABC/settings``), the way
they appear everywhere else in OICP.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from simulator.model import ServiceType

PREFIX = "/portal"


def _op(operator_id: str) -> str:
    return quote(operator_id, safe="*")


def operators_url() -> str:
    """The landing page: every operator and the form to create one."""
    return f"{PREFIX}/"


def operator_url(operator_id: str) -> str:
    return f"{PREFIX}/operators/{_op(operator_id)}"


def settings_url(operator_id: str, service_type: ServiceType | None = None) -> str:
    """The Service Type Settings page (of one service type, Authorization by default)."""
    chosen = service_type or ServiceType.AUTHORIZATION
    return f"{operator_url(operator_id)}/settings/{chosen.slug}"


def test_configuration_url(operator_id: str, service_type: ServiceType) -> str:
    """Where "Test this configuration" posts to."""
    return f"{operator_url(operator_id)}/test/{service_type.slug}"


def certificates_url(operator_id: str) -> str:
    """The Certificate Management tab."""
    return f"{operator_url(operator_id)}/certificates"


def operator_data_url(operator_id: str) -> str:
    """The "EVSE data & pricing" tab: what the CPO pushed."""
    return f"{operator_url(operator_id)}/evse-data"


def delete_certificate_url(operator_id: str, cert_id: int) -> str:
    return f"{certificates_url(operator_id)}/{cert_id}/delete"


def exchanges_url(
    operator_id: str | None = None,
    service_type: str | None = None,
    outcome: str | None = None,
) -> str:
    """The exchange log (Process Monitor), with optional filters."""
    filters = {"operator_id": operator_id, "service_type": service_type, "outcome": outcome}
    query = urlencode({name: value for name, value in filters.items() if value})
    return f"{PREFIX}/exchanges" + (f"?{query}" if query else "")


def static_url(name: str) -> str:
    return f"{PREFIX}/static/{name}"
