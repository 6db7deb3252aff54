"""Where a load run sends: straight to a Service URL, or through a running hub.

Both answer with the hub's own :class:`~simulator.exchange.Exchange`, so a failure under
load carries the same outcome and diagnosis sentence as in ``hubsim send``:

* one-shot (``--url --server-cert --pki``): this process is the hub's sender, with the hub's
  request builder, TLS identity and outcome classification;
* through a hub (``--operator``): each request goes to the hub's admin API, which sends it
  with the operator's saved settings and records it in the Process Monitor.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from hubsim.errors import BOTH_TARGETS, CLIError
from hubsim.hub_client import call_hub, hub_refusal
from oicp import Operation
from simulator.exchange import Exchange
from simulator.hub import HubIdentity
from simulator.model import WireProfile
from simulator.oneshot import ServerCertChoice, one_shot_target
from simulator.requests import RequestTemplates, SendParams, wire_shape
from simulator.sender import Sender, Target

_ADMIN_TIMEOUT_S = 120.0  # the hub's own timeout is at most 60 s
_HEALTH_TIMEOUT_S = 5.0
_HEALTH_ATTEMPTS, _HEALTH_PAUSE_S = 3, 0.2


class ChannelLost(CLIError):
    """The hub's admin API stopped answering, or refused, during the load: the run ends
    there, and its report covers the requests before."""


class Channel(Protocol):
    async def send(self, operation: Operation, params: SendParams) -> Exchange: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class TargetSpec:
    """The target options of the command line, as a value a worker process can receive."""

    operator: str | None = None
    hub: str = "http://127.0.0.1:8080"
    admin_token: str | None = None
    url: str | None = None
    server_cert: str | None = None
    pki: str | None = None
    timeout_s: float = 10.0
    reservation_path: str = "hubject"
    fresh_connections: bool = False
    wire: str | None = None  # a WireProfile value; None: the operator's (hbs one-shot)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TargetSpec:
        return cls(**data)

    def check(self) -> None:
        if self.url and self.operator:
            raise CLIError(BOTH_TARGETS)
        if not self.url and not self.operator:
            raise CLIError(
                "say where to send: --operator ID (through a running hub) "
                "or --url URL --server-cert hubject|user:FILE --pki DIR (one-shot)"
            )
        if self.url and (not self.server_cert or not self.pki):
            wanted = (
                ("--server-cert hubject|user:FILE", self.server_cert),
                ("--pki DIR", self.pki),
            )
            missing = " and ".join(option for option, given in wanted if not given)
            raise CLIError(f"one-shot load (--url) needs {missing} too")
        if not 0 < self.timeout_s <= 60:
            raise CLIError(
                f"--timeout {self.timeout_s:g} is out of range: give more than 0 and at most 60"
            )
        if self.operator and self.fresh_connections:
            raise CLIError(
                "--fresh-connections needs a one-shot target (--url ...): through a hub, the "
                "hub's own sender decides how it connects, and it reuses connections"
            )


async def open_channel(
    spec: TargetSpec, connections: int, operations: Sequence[Operation] = ()
) -> Channel:
    """Check the target once, before any load: a bad URL, an unknown operator, or saved
    settings with which the hub would send none of ``operations``, stop here."""
    spec.check()
    if spec.url:
        return _one_shot(spec, connections)
    channel = HubChannel(spec, connections)
    try:
        await call_hub(
            spec.hub,
            "GET",
            f"/api/operators/{spec.operator}",
            None,
            admin_token=spec.admin_token,
            options={"operator_id": "--operator"},
        )
        for operation in operations:
            await _hub_would_send(spec, operation)
    except BaseException:
        await channel.close()
        raise
    return channel


async def _hub_would_send(spec: TargetSpec, operation: Operation) -> None:
    """Refuse the run when the hub would send nothing: counted as settings_invalid request
    after request, such a run loaded no backend at all and could still exit 0."""
    path = f"/api/operators/{spec.operator}/send/{operation.slug}"
    ready = await call_hub(spec.hub, "GET", path, None, admin_token=spec.admin_token)
    if not ready["ready"]:
        raise CLIError(
            f"--operator {spec.operator}: with its saved settings the hub would send no "
            f"{operation.slug} ({ready['outcome']}): {ready['detail']}"
        )


def _one_shot(spec: TargetSpec, connections: int) -> OneShotChannel:
    assert spec.url and spec.server_cert and spec.pki
    identity = HubIdentity.from_pki_dir(Path(spec.pki))
    choice = ServerCertChoice.parse(spec.server_cert)
    return OneShotChannel(
        identity,
        lambda op, provider: one_shot_target(
            spec.url or "",
            choice,
            identity,
            op,
            provider,
            timeout_s=spec.timeout_s,
            reservation_style=spec.reservation_path,
        ),
        Sender(
            identity.client, connection_limit=connections, fresh_connections=spec.fresh_connections
        ),
        WireProfile(spec.wire or WireProfile.HBS.value),
    )


class OneShotChannel:
    """This process sends as the hub does: its builder, its sender, its diagnosis."""

    def __init__(
        self, identity: HubIdentity, plan: Any, sender: Sender, profile: WireProfile
    ) -> None:
        self._identity = identity
        self._bodies = RequestTemplates(profile)  # the hub's builder, for many requests
        self._headers = wire_shape(profile).headers
        self._plan = plan  # (operation, provider_id) -> Target, checked by the portal's rules
        self._targets: dict[tuple[Operation, str], Target] = {}
        self._sender = sender

    def _target(self, operation: Operation, provider_id: str) -> Target:
        key = (operation, provider_id)
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = self._plan(operation, provider_id)
        return found

    async def send(self, operation: Operation, params: SendParams) -> Exchange:
        body = self._bodies.body(operation, params)
        target = self._target(operation, params.provider_id)
        return await self._sender.send_body(target, operation, body, headers=self._headers)

    async def close(self) -> None:
        await self._sender.close()


class HubChannel:
    """Each request through the hub's admin API: the hub applies the saved settings, sends
    and records; the answer is the exchange it recorded."""

    def __init__(self, spec: TargetSpec, connections: int) -> None:
        self._token = spec.admin_token
        headers = {"Authorization": f"Bearer {spec.admin_token}"} if spec.admin_token else {}
        self._base = f"{spec.hub.rstrip('/')}/api/operators/{spec.operator}/send/"
        self._wire = {"wire_profile": spec.wire} if spec.wire else {}
        self._hub = spec.hub
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections),
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=_ADMIN_TIMEOUT_S),
        )

    async def send(self, operation: Operation, params: SendParams) -> Exchange:
        body = {k: v for k, v in vars(params).items() if v is not None} | self._wire
        try:
            async with self._session.post(self._base + operation.slug, json=body) as resp:
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, ValueError, TimeoutError) as exc:
            said = (
                f"the hub's admin API at {self._hub} stopped answering under load "
                f"({_in_words(exc)})"
            )
            raise ChannelLost(f"{said}; {await self._why_lost()}") from None
        if resp.status >= 400:
            raise ChannelLost(str(hub_refusal(resp.status, data, self._hub, self._token)))
        return Exchange.from_json(data)

    async def _why_lost(self) -> str:
        """A hub that has stopped refuses new connections; one that still listens and drops
        them is at its connection limit (its admin port ends the ones beyond it). Asked on
        connections of its own (the load's may all be taken), a few times apart: a process
        being killed resets its connections a moment before its port closes."""
        found = None
        for attempt in range(_HEALTH_ATTEMPTS):
            if attempt:
                await asyncio.sleep(_HEALTH_PAUSE_S)
            found = await self._health()
            if found is not None:
                break
        if found is False:
            return "it no longer accepts connections: the hub has stopped; look at its log"
        return (
            "the hub still listens, so it closed this connection: a hub closes the connections "
            "beyond its --max-connections (512 by default), and every request in flight holds "
            "one (each of -c users, or up to --max-in-flight with --rate; all workers' "
            "together), so lower -c or --max-in-flight, or start the hub with a higher "
            "--max-connections"
        )

    async def _health(self) -> bool | None:
        """True: /api/health answered; False: the connection was refused; None: neither."""
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=_HEALTH_TIMEOUT_S)) as s,
                s.get(f"{self._hub.rstrip('/')}/api/health") as resp,
            ):
                await resp.read()
                return True
        except aiohttp.ClientConnectorError as exc:
            return False if isinstance(exc.os_error, ConnectionRefusedError) else None
        except (aiohttp.ClientError, TimeoutError):
            return None

    async def close(self) -> None:
        await self._session.close()


def _in_words(exc: BaseException) -> str:
    """What went wrong, without the exception's repr (a JUnit message quotes it)."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {_ADMIN_TIMEOUT_S:g} s"
    text = re.sub(r"^\[Errno -?\d+\] ", "", str(exc)).strip()
    return text[:1].lower() + text[1:] if text else type(exc).__name__
