"""Starting each scenario clean on an external ``hubsim stub serve``, through its control API.

A stub that served earlier commands still holds their EVSE state: a session left open on an
EVSE makes the next remote start there answer 602, a reservation 601. With
``--stub-control URL`` (the stub's ``--control-port``), the runner clears the stub before each
scenario (``DELETE /requests``: records, EVSE state and behaviours) and applies the scenario's
``endpoint: stub:`` arrangements as the bundled stub would get them.

Without it, :func:`left_over_state_note` says when a 601 or 602 most likely comes from such
state, so the report points at the cause instead of at the backend.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from cpo_stub.behaviour import Reject, behaviour_to_json
from hubsim.hub_client import reason_of
from hubsim.scenario.errors import ScenarioSetupError
from hubsim.scenario.model import StubSpec
from oicp import Operation
from simulator.exchange import Exchange

LEFT_OVER_CODES = {"601": "a reservation", "602": "a session"}
"""Codes that state from earlier requests explains: what is left open on the EVSE."""

STARTS = (Operation.AUTHORIZE_REMOTE_START, Operation.AUTHORIZE_REMOTE_RESERVATION_START)
"""The operations that leave something open on an EVSE when the CPO accepts them."""


async def reach_stub(control_url: str) -> None:
    """Raise ScenarioSetupError unless the control API answers: checked once before the
    first scenario, since each one's set-up failed with it, and the run read as a backend
    that failed every step."""
    if not control_url.startswith(("http://", "https://")):
        raise ScenarioSetupError(
            f"{control_url!r} is not the URL of a control API; give http://127.0.0.1:PORT, "
            "PORT being the stub's --control-port"
        )
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        url = f"{control_url.rstrip('/')}/requests"
        await _call(session, "GET", url, None, control_url)


async def prepare_stub(control_url: str, spec: StubSpec) -> list[str]:
    """Clear the stub and apply ``spec``; the notes say what could not be applied."""
    base = control_url.rstrip("/")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        await _call(session, "DELETE", f"{base}/requests", None, control_url)
        if spec.known_evses is not None:
            known = {"evse_ids": list(spec.known_evses)}
            await _call(session, "PUT", f"{base}/known-evses", known, control_url)
        for evse_id in spec.unknown_evses:
            body = behaviour_to_json(Reject("603"))
            await _call(session, "PUT", f"{base}/behaviours/{evse_id}", body, control_url)
        for rule in spec.behaviours:
            key = rule.evse_id or "_default"
            body = behaviour_to_json(rule.behaviour)
            await _call(session, "PUT", f"{base}/behaviours/{key}", body, control_url)
    notes = []
    if spec.server_certificate is not None or spec.path:
        notes.append(
            "the endpoint: stub: server_certificate and path do not apply to an external "
            "stub; start it with the certificate and give --target the path you want"
        )
    return notes


async def _call(
    session: aiohttp.ClientSession, method: str, url: str, body: Any, control_url: str
) -> None:
    try:
        async with session.request(method, url, json=body) as answer:
            if answer.status >= 400:
                text = (await answer.text())[:200]
                raise ScenarioSetupError(
                    f"the stub's control API at {control_url} refused {method} {url}: "
                    f"HTTP {answer.status} {text}"
                )
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ScenarioSetupError(
            f"cannot reach the stub's control API at {control_url} "
            f"({reason_of(exc) if isinstance(exc, aiohttp.ClientError) else 'no answer'}):"
            " start the stub with --control-port PORT and pass --stub-control "
            "http://127.0.0.1:PORT"
        ) from None


def left_over_state_note(evse_id: str, exchange: Exchange, started_here: set[str]) -> str | None:
    """A note when a 601/602 came for an EVSE on which this scenario started nothing."""
    code = exchange.status_code
    if code not in LEFT_OVER_CODES or evse_id in started_here:
        return None
    return (
        f"the endpoint answered {code} for {evse_id}, on which this scenario had started "
        f"nothing: {LEFT_OVER_CODES[code]} left open by earlier requests is the likely cause. "
        "Against 'hubsim stub serve', pass --stub-control URL of its control API so each "
        "scenario starts clean, or restart the stub"
    )
