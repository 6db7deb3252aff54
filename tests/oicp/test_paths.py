"""Paths the hub appends to a CPO's Service URL (OICP 2.3 CPO, 06_CPO_Code_Snippets)."""

from __future__ import annotations

import pytest

from oicp.operations import Operation
from oicp.paths import (
    PathMatch,
    hub_to_cpo_path,
    hub_to_cpo_url,
    join_service_url,
    match_hub_to_cpo_path,
)

HUBJECT_PATHS = {
    Operation.AUTHORIZE_REMOTE_START: (
        "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"
    ),
    Operation.AUTHORIZE_REMOTE_STOP: (
        "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/stop"
    ),
    Operation.AUTHORIZE_REMOTE_RESERVATION_START: (
        "/api/oicp/reservation/v11/providers/DE*ICE/reservation-start-request"
    ),
    Operation.AUTHORIZE_REMOTE_RESERVATION_STOP: (
        "/api/oicp/reservation/v11/providers/DE*ICE/reservation-stop-request"
    ),
}
CHARGING_RESERVATION_PATHS = {
    Operation.AUTHORIZE_REMOTE_RESERVATION_START: (
        "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote-reservation/start"
    ),
    Operation.AUTHORIZE_REMOTE_RESERVATION_STOP: (
        "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote-reservation/stop"
    ),
}


@pytest.mark.parametrize(("operation", "path"), HUBJECT_PATHS.items())
def test_hubject_style_paths_are_the_documented_ones(operation: Operation, path: str) -> None:
    assert hub_to_cpo_path(operation, "DE*ICE") == path
    assert hub_to_cpo_path(operation, "DE*ICE", "hubject") == path


@pytest.mark.parametrize(("operation", "path"), CHARGING_RESERVATION_PATHS.items())
def test_charging_style_reservation_paths_are_wwcps(operation: Operation, path: str) -> None:
    assert hub_to_cpo_path(operation, "DE*ICE", "charging") == path


@pytest.mark.parametrize(
    "operation", [Operation.AUTHORIZE_REMOTE_START, Operation.AUTHORIZE_REMOTE_STOP]
)
def test_remote_start_and_stop_paths_do_not_depend_on_the_reservation_style(
    operation: Operation,
) -> None:
    assert hub_to_cpo_path(operation, "DE*ICE", "charging") == HUBJECT_PATHS[operation]


def test_provider_id_asterisk_is_not_percent_encoded() -> None:
    path = hub_to_cpo_path(Operation.AUTHORIZE_REMOTE_START, "DE*ICE")
    assert "/providers/DE*ICE/" in path
    assert "%2A" not in path


def test_provider_id_characters_that_would_break_the_path_are_encoded() -> None:
    path = hub_to_cpo_path(Operation.AUTHORIZE_REMOTE_START, "DE/ICE")
    assert "/providers/DE%2FICE/" in path


def test_unknown_reservation_style_is_rejected_naming_both_styles() -> None:
    with pytest.raises(ValueError, match=r"'wwcp'.*'hubject'.*'charging'"):
        hub_to_cpo_path(Operation.AUTHORIZE_REMOTE_RESERVATION_START, "DE*ICE", "wwcp")


def test_empty_provider_id_is_rejected() -> None:
    with pytest.raises(ValueError, match="provider_id is empty"):
        hub_to_cpo_path(Operation.AUTHORIZE_REMOTE_START, "")


@pytest.mark.parametrize(
    "service_url",
    ["https://cpo.example/oicp", "https://cpo.example/oicp/", "https://cpo.example/oicp//"],
)
def test_join_service_url_puts_exactly_one_slash_between(service_url: str) -> None:
    path = HUBJECT_PATHS[Operation.AUTHORIZE_REMOTE_START]
    assert join_service_url(service_url, path) == "https://cpo.example/oicp" + path


@pytest.mark.parametrize("service_url", ["https://cpo.example", "https://cpo.example/"])
def test_join_service_url_without_a_prefix(service_url: str) -> None:
    assert join_service_url(service_url, "/api/oicp/x") == "https://cpo.example/api/oicp/x"


def test_hub_to_cpo_url_appends_the_oicp_path_to_the_service_url() -> None:
    url = hub_to_cpo_url(
        "https://cpo.example:8443/hubject/", Operation.AUTHORIZE_REMOTE_STOP, "DE-DCB"
    )
    assert (
        url
        == "https://cpo.example:8443/hubject/api/oicp/charging/v21/providers/DE-DCB/authorize-remote/stop"
    )


@pytest.mark.parametrize(("operation", "path"), HUBJECT_PATHS.items())
def test_match_recognises_hubject_style_paths(operation: Operation, path: str) -> None:
    assert match_hub_to_cpo_path(path) == PathMatch(operation, "DE*ICE", "hubject")


@pytest.mark.parametrize(("operation", "path"), CHARGING_RESERVATION_PATHS.items())
def test_match_recognises_charging_style_reservation_paths(operation: Operation, path: str) -> None:
    assert match_hub_to_cpo_path(path) == PathMatch(operation, "DE*ICE", "charging")


@pytest.mark.parametrize("prefix", ["", "/cpo", "/cpo/v1/oicp-in", "/a//b"])
def test_match_works_on_the_suffix_whatever_the_prefix(prefix: str) -> None:
    path = prefix + HUBJECT_PATHS[Operation.AUTHORIZE_REMOTE_STOP]
    found = match_hub_to_cpo_path(path)
    assert found is not None and found.operation is Operation.AUTHORIZE_REMOTE_STOP


@pytest.mark.parametrize("encoded", ["DE%2AICE", "DE%2aICE", "DE*ICE"])
def test_match_accepts_the_asterisk_literal_or_percent_encoded(encoded: str) -> None:
    found = match_hub_to_cpo_path(
        f"/api/oicp/charging/v21/providers/{encoded}/authorize-remote/start"
    )
    assert found == PathMatch(Operation.AUTHORIZE_REMOTE_START, "DE*ICE", "hubject")


def test_match_ignores_the_query_string() -> None:
    found = match_hub_to_cpo_path(HUBJECT_PATHS[Operation.AUTHORIZE_REMOTE_START] + "?trace=1")
    assert found is not None and found.operation is Operation.AUTHORIZE_REMOTE_START


@pytest.mark.parametrize(
    "path",
    [
        "/api/oicp/charging/v21/operators/DE*ABC/authorize/start",  # CPO-to-hub, not hub-to-CPO
        "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start/extra",
        "/api/oicp/charging/v21/providers//authorize-remote/start",
        "/api/oicp/charging/v22/providers/DE*ICE/authorize-remote/start",
        "/",
    ],
)
def test_match_returns_none_for_other_paths(path: str) -> None:
    assert match_hub_to_cpo_path(path) is None


@pytest.mark.parametrize("style", ["hubject", "charging"])
@pytest.mark.parametrize("operation", list(Operation))
def test_built_paths_match_back(operation: Operation, style: str) -> None:
    found = match_hub_to_cpo_path("/prefix" + hub_to_cpo_path(operation, "DE*ICE", style))
    assert found is not None
    assert (found.operation, found.provider_id) == (operation, "DE*ICE")
    assert found.reservation_style == (style if operation.is_reservation else "hubject")
