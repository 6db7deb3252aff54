"""Without a browser: the CSRF check on every form, and the admin token rule for the portal."""

from __future__ import annotations

import asyncio
import io
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from mockpki import PKIFiles
from simulator.app import ADMIN_COOKIE, HubOptions, HubStartError, RunningHub, running_hub
from simulator.model import Operator, ServiceType
from simulator.portal import CSRF_COOKIE
from simulator.portal.csrf import REFUSED_MESSAGE
from tests.portal.support import HUBSIM

OPERATOR_ID = "DE*SEC"
SETTINGS = f"/portal/operators/{OPERATOR_ID}/settings/authorization"
TOKEN = "correct-horse-battery-staple"


@asynccontextmanager
async def portal(pki_files: PKIFiles, token: str | None = None) -> AsyncIterator[RunningHub]:
    options = HubOptions(pki_dir=pki_files.directory, admin_token=token)
    async with running_hub(options) as running:
        await running.hub.put_operator(Operator(OPERATOR_ID))
        yield running


def browser_like() -> aiohttp.ClientSession:
    # unsafe=True: keep cookies from 127.0.0.1, as a browser does.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def csrf_token(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as response:
        found = re.search(r'name="csrf_token" value="([^"]+)"', await response.text())
    assert found is not None
    return found.group(1)


def page_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


async def test_post_without_csrf_token_is_refused(pki_files: PKIFiles) -> None:
    async with portal(pki_files) as running, browser_like() as session:
        await csrf_token(session, running.url + SETTINGS)  # the session has its cookie
        form = {"online_request": "on", "service_url": "https://localhost:8443/cpo"}
        async with session.post(running.url + SETTINGS, data=form) as response:
            assert response.status == 403
            assert REFUSED_MESSAGE in page_text(await response.text())
        history = await running.hub.storage.settings_history(OPERATOR_ID, ServiceType.AUTHORIZATION)
        assert history == []


async def test_post_with_another_sessions_csrf_token_is_refused(pki_files: PKIFiles) -> None:
    async with portal(pki_files) as running, browser_like() as mine, browser_like() as theirs:
        stolen = await csrf_token(theirs, running.url + SETTINGS)
        await csrf_token(mine, running.url + SETTINGS)
        form = {"csrf_token": stolen, "online_request": "on"}
        async with mine.post(running.url + SETTINGS, data=form) as response:
            assert response.status == 403


async def test_post_without_csrf_cookie_is_refused(pki_files: PKIFiles) -> None:
    async with portal(pki_files) as running, browser_like() as session:
        token = await csrf_token(session, running.url + SETTINGS)
        session.cookie_jar.clear()
        async with session.post(running.url + SETTINGS, data={"csrf_token": token}) as response:
            assert response.status == 403


async def test_post_with_csrf_token_is_accepted(pki_files: PKIFiles) -> None:
    async with portal(pki_files) as running, browser_like() as session:
        token = await csrf_token(session, running.url + SETTINGS)
        form = {"csrf_token": token, "online_request": "on", "service_url": "https://x.example"}
        async with session.post(running.url + SETTINGS, data=form) as response:
            assert response.status == 200
            assert "Saved revision 1" in await response.text()


async def test_csrf_cookie_is_http_only_and_same_site_strict(pki_files: PKIFiles) -> None:
    async with portal(pki_files) as running, browser_like() as session:
        async with session.get(running.url + SETTINGS) as response:
            cookie = response.cookies[CSRF_COOKIE]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"


async def test_non_loopback_address_without_token_refuses_to_start(pki_files: PKIFiles) -> None:
    options = HubOptions(pki_dir=pki_files.directory, host="0.0.0.0")
    with pytest.raises(HubStartError, match="set an admin token"):
        async with running_hub(options):
            pass


async def test_hub_serve_on_non_loopback_address_without_token_exits(pki_files: PKIFiles) -> None:
    process = await asyncio.create_subprocess_exec(
        *HUBSIM,
        *("hub", "serve", "--pki", str(pki_files.directory), "--host", "0.0.0.0", "--port", "0"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k != "HUBSIM_ADMIN_TOKEN"},
    )
    out, err = await process.communicate()
    assert process.returncode == 2
    assert "set an admin token" in err.decode()
    assert b"listening on" not in out


@pytest.mark.parametrize("path", ["/", "/portal/", SETTINGS, "/portal/exchanges"])
async def test_portal_without_token_answers_401(pki_files: PKIFiles, path: str) -> None:
    async with portal(pki_files, TOKEN) as running, browser_like() as session:
        response = await session.get(running.url + path)
        assert response.status == 401
        assert "Admin token required" in await response.text()


async def test_admin_api_without_token_answers_401(pki_files: PKIFiles) -> None:
    async with portal(pki_files, TOKEN) as running, browser_like() as session:
        async with session.get(running.url + "/api/operators") as response:
            assert response.status == 401
            assert "Bearer" in (await response.json())["error"]
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with session.get(running.url + "/api/operators", headers=headers) as response:
            assert response.status == 200


async def test_wrong_token_in_address_answers_401(pki_files: PKIFiles) -> None:
    async with portal(pki_files, TOKEN) as running, browser_like() as session:
        async with session.get(running.url + "/portal/?token=guess") as response:
            assert response.status == 401
        assert not any(cookie.key == ADMIN_COOKIE for cookie in session.cookie_jar)


async def test_token_in_address_signs_the_browser_in(pki_files: PKIFiles) -> None:
    async with portal(pki_files, TOKEN) as running, browser_like() as session:
        url = f"{running.url}{SETTINGS}?token={TOKEN}"
        async with session.get(url, allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == SETTINGS  # the token leaves the address
            cookie = response.cookies[ADMIN_COOKIE]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"
        assert TOKEN not in cookie.value
        async with session.get(running.url + SETTINGS) as response:
            assert response.status == 200
        # The session cookie opens the pages only; the admin API keeps the Bearer header.
        async with session.get(running.url + "/api/operators") as response:
            assert response.status == 401


async def test_oversized_upload_gets_a_page(pki_files: PKIFiles) -> None:
    async with portal(pki_files) as running, browser_like() as session:
        certificates = f"{running.url}/portal/operators/{OPERATOR_ID}/certificates"
        token = await csrf_token(session, certificates)
        form = aiohttp.FormData({"csrf_token": token})
        form.add_field("file", io.BytesIO(b"A" * (2 << 20)), filename="huge.pem")
        async with session.post(certificates, data=form) as response:
            assert response.status == 413
            text = page_text(await response.text())
        assert "A certificate file is a few kilobytes" in text
        assert "Traceback" not in text


async def test_portal_style_sheet_needs_no_token(pki_files: PKIFiles) -> None:
    # It styles the 401 page itself; it holds nothing of the hub's state.
    async with portal(pki_files, TOKEN) as running, browser_like() as session:
        response = await session.get(running.url + "/portal/static/portal.css")
        assert response.status == 200
        assert response.content_type == "text/css"
