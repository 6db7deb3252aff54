"""The admin port against a hostile web page: Host allowlist, admin token rules, CSRF."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from mockpki import PKIFiles
from simulator.app import HubOptions, running_hub
from simulator.model import Operator, ServiceType
from simulator.portal import CSRF_COOKIE
from tests.hostile.conftest import hub_args
from tests.hostile.processes import ADMIN_LINE, Server, run_to_end, serving

REBINDING = {"Host": "attacker.example:8080", "Origin": "http://attacker.example:8080"}
TOKEN = "a-long-enough-admin-token"


async def test_a_rebound_host_name_cannot_reconfigure_the_hub(hub_process: Server) -> None:
    url = hub_process.urls[0]
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{url}/api/operators", json={"operator_id": "DE*E10"}, headers=REBINDING
        ) as response:
            refused = (response.status, await response.json())
        async with session.get(f"{url}/api/operators/DE*E10") as response:
            after = response.status

    assert refused[0] == 421
    assert refused[1]["issues"][0]["field"] == "Host"
    assert refused[1]["issues"][0]["value"] == "attacker.example:8080"
    assert after == 404


async def test_a_rebound_host_name_cannot_read_the_portal(hub_process: Server) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{hub_process.urls[0]}/portal/", headers={"Host": "attacker.example"}
        ) as response,
    ):
        assert response.status == 421


async def test_an_allowed_host_name_is_answered(pki_files: PKIFiles, tmp_path: Path) -> None:
    args = hub_args(pki_files, tmp_path / "hub.sqlite3", "--allowed-host", "hub.example")
    headers = {"Host": "hub.example:8080", "Origin": "http://hub.example:8080"}
    async with (
        serving(args, [ADMIN_LINE]) as hub,
        aiohttp.ClientSession() as session,
        session.post(
            f"{hub.urls[0]}/api/operators", json={"operator_id": "DE*E10"}, headers=headers
        ) as response,
    ):
        assert response.status == 201


@pytest.mark.parametrize("token", ["   ", "short-token"], ids=["blank", "short"])
async def test_a_blank_or_short_admin_token_is_refused_at_start(
    pki_files: PKIFiles, tmp_path: Path, token: str
) -> None:
    code, output = await run_to_end(
        hub_args(pki_files, tmp_path / "hub.sqlite3", "--admin-token", token)
    )

    assert code != 0
    assert "admin token" in output and "Traceback" not in output


async def test_the_bearer_scheme_is_case_insensitive(pki_files: PKIFiles, tmp_path: Path) -> None:
    args = hub_args(pki_files, tmp_path / "hub.sqlite3", "--admin-token", TOKEN)
    async with serving(args, [ADMIN_LINE]) as hub, aiohttp.ClientSession() as session:
        statuses = []
        for scheme in ("Bearer", "bearer", "BEARER"):
            headers = {"Authorization": f"{scheme} {TOKEN}"}
            async with session.get(f"{hub.urls[0]}/api/operators", headers=headers) as response:
                statuses.append(response.status)
        async with session.get(
            f"{hub.urls[0]}/api/operators", headers={"Authorization": f"Basic {TOKEN}"}
        ) as response:
            other_scheme = response.status

    assert statuses == [200, 200, 200]
    assert other_scheme == 401


SETTINGS = "/portal/operators/DE*SEC/settings/authorization"


async def test_a_planted_csrf_cookie_does_not_make_a_form_valid(pki_files: PKIFiles) -> None:
    # Another app on 127.0.0.1 can set a cookie for the hub (cookies ignore the port): it
    # plants a token of its choosing and posts a form that carries the same token.
    planted = "p" * 43
    async with running_hub(HubOptions(pki_dir=pki_files.directory)) as running:
        await running.hub.put_operator(Operator("DE*SEC"))
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            session.cookie_jar.update_cookies({CSRF_COOKIE: planted})
            form = {"csrf_token": planted, "online_request": "on"}
            async with session.post(running.url + SETTINGS, data=form) as response:
                status = response.status
        history = await running.hub.storage.settings_history("DE*SEC", ServiceType.AUTHORIZATION)

    assert status == 403
    assert history == []


async def test_the_csrf_token_is_bound_to_its_session(pki_files: PKIFiles) -> None:
    async with running_hub(HubOptions(pki_dir=pki_files.directory)) as running:
        await running.hub.put_operator(Operator("DE*SEC"))
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            async with session.get(running.url + SETTINGS) as response:
                found = re.search(r'name="csrf_token" value="([^"]+)"', await response.text())
            assert found is not None
            cookie = next(c.value for c in session.cookie_jar if c.key == CSRF_COOKIE)
            form = {"csrf_token": found.group(1), "service_url": "https://localhost:8443/cpo"}
            async with session.post(running.url + SETTINGS, data=form) as response:
                status = response.status

    assert found.group(1) != cookie  # the form carries an HMAC of the session, not its id
    assert status != 403  # past the CSRF check (the settings rules then judge the form)
