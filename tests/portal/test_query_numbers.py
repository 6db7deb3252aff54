"""A number in a portal query that is not ASCII digits, or too large, gets the page's own
refusal or is ignored, never HTTP 500. The hub runs as its own process."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.portal.support import ServerProcess

# "²" passes str.isdigit() but not int(); the long one passes int() but not SQLite.
NOT_NUMBERS = ("²", "٣", "99999999999999999999999", "-1", "1e3")


def _status(hub: ServerProcess, path: str, **query: str) -> int:
    url = f"{hub.url}{path}?{urllib.parse.urlencode(query)}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_monitor_limit_that_is_not_a_whole_number_is_refused_not_500(
    hub: ServerProcess, raw: str
) -> None:
    assert _status(hub, "/portal/exchanges", limit=raw) < 500


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_live_update_after_that_is_not_an_exchange_id_is_refused_not_500(
    hub: ServerProcess, raw: str
) -> None:
    assert _status(hub, "/portal/exchanges/live", after=raw) in (400, 422)


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_certificates_notice_with_a_count_that_is_not_a_number_is_ignored(
    hub: ServerProcess, raw: str
) -> None:
    hubsim_operator = "DE*QNR"
    request = urllib.request.Request(
        f"{hub.url}/api/operators",
        data=f'{{"operator_id": "{hubsim_operator}"}}'.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        urllib.request.urlopen(request, timeout=30).close()
    except urllib.error.HTTPError as error:
        assert error.code < 500
    path = f"/portal/operators/{urllib.parse.quote(hubsim_operator)}/certificates"
    assert _status(hub, path, uploaded=raw, deleted=raw) == 200
