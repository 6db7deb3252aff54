"""Operation names and slugs."""

from __future__ import annotations

import pytest

from oicp.operations import Operation


def test_operation_values_are_the_oicp_wire_names() -> None:
    assert [op.value for op in Operation] == [
        "eRoamingAuthorizeRemoteStart",
        "eRoamingAuthorizeRemoteStop",
        "eRoamingAuthorizeRemoteReservationStart",
        "eRoamingAuthorizeRemoteReservationStop",
    ]


def test_operation_slugs() -> None:
    assert {op: op.slug for op in Operation} == {
        Operation.AUTHORIZE_REMOTE_START: "remote-start",
        Operation.AUTHORIZE_REMOTE_STOP: "remote-stop",
        Operation.AUTHORIZE_REMOTE_RESERVATION_START: "reservation-start",
        Operation.AUTHORIZE_REMOTE_RESERVATION_STOP: "reservation-stop",
    }


@pytest.mark.parametrize("operation", list(Operation))
def test_from_slug_returns_the_operation_with_that_slug(operation: Operation) -> None:
    assert Operation.from_slug(operation.slug) is operation


def test_from_slug_rejects_unknown_text_naming_the_accepted_slugs() -> None:
    with pytest.raises(ValueError, match=r"'remote-begin'.*remote-start, remote-stop"):
        Operation.from_slug("remote-begin")


def test_only_the_reservation_operations_are_reservations() -> None:
    assert [op for op in Operation if op.is_reservation] == [
        Operation.AUTHORIZE_REMOTE_RESERVATION_START,
        Operation.AUTHORIZE_REMOTE_RESERVATION_STOP,
    ]
