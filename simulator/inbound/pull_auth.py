"""OICP 2.2's eRoamingPullAuthenticationData: the offline data EMPs uploaded, for a CPO.

Hubject's acceptable-use policy allows six pulls a minute and answers more with HTTP 429
(certificates digest §4). The operation needs the PullAuthenticationData service type:
the portal offers it to CPOs, and the mock treats "Online Request" ticked there as the
CPO being enabled for it (the service type's URL is never called; digest §5).

The clock is injectable so that tests can move time instead of waiting.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from oicp import status
from oicp.authentication_data import (
    PULLS_PER_MINUTE,
    AuthenticationData,
    ProviderAuthenticationData,
)
from oicp.messages import StatusCode
from simulator.inbound.replies import too_many_requests
from simulator.model import ServiceType
from simulator.partners.service import Partners
from simulator.storage import Storage

Clock = Callable[[], float]
"""Seconds on a monotonic scale (``time.monotonic`` by default)."""

WINDOW_S = 60.0


class RateLimiter:
    """At most ``limit`` calls per ``window_s`` seconds per key, over a sliding window."""

    def __init__(self, limit: int, window_s: float, clock: Clock = time.monotonic) -> None:
        self._limit = limit
        self._window_s = window_s
        self._clock = clock
        self._calls: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count a call for ``key`` and say whether it is within the limit."""
        now = self._clock()
        calls = self._calls.setdefault(key, deque())
        while calls and now - calls[0] >= self._window_s:
            calls.popleft()
        if len(calls) >= self._limit:
            return False
        calls.append(now)
        return True

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may call again (0 when it may now)."""
        calls = self._calls.get(key)
        if not calls or len(calls) < self._limit:
            return 0.0
        return max(0.0, self._window_s - (self._clock() - calls[0]))


class PullAuthentication:
    """Answers eRoamingPullAuthenticationData."""

    def __init__(self, storage: Storage, partners: Partners, clock: Clock = time.monotonic) -> None:
        self._storage = storage
        self._partners = partners
        self.limiter = RateLimiter(PULLS_PER_MINUTE, WINDOW_S, clock)

    async def pull(self, operator_id: str) -> AuthenticationData:
        """The offline authentication data of the EMPs under contract with the CPO."""
        if not self.limiter.allow(operator_id):
            wait = self.limiter.retry_after(operator_id)
            raise too_many_requests(
                f"{operator_id} pulled authentication data {PULLS_PER_MINUTE} times in the "
                f"last minute, the most Hubject allows; try again in {wait:.0f} s"
            )
        revision = await self._storage.current_settings(
            operator_id, ServiceType.PULL_AUTHENTICATION_DATA
        )
        if revision is None or not revision.settings.online_request:
            info = (
                f"the PullAuthenticationData service type of {operator_id} is not enabled: "
                "tick its Online Request in the Service Type Settings and save"
            )
            return AuthenticationData((), StatusCode.for_code(status.SERVICE_NOT_AVAILABLE, info))
        return AuthenticationData(await self._providers(operator_id), StatusCode.for_code("000"))

    async def _providers(self, operator_id: str) -> tuple[ProviderAuthenticationData, ...]:
        contracts = await self._partners.contracts(operator_id=operator_id)
        subscribed = {
            c.provider_id for c in contracts if c.service_type is ServiceType.AUTHORIZATION
        }
        return tuple(
            ProviderAuthenticationData(emp.provider_id, emp.authentication_data)
            for emp in await self._partners.emps()
            if emp.provider_id in subscribed and emp.offline_authorization
        )
