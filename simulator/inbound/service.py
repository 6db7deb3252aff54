"""The inbound side as one object: partners, the operations' logic, and the simulated EMPs.

The OICP listener, the admin API, the CLI (through the admin API) and the portal all work
on one :class:`Inbound`, built on the :class:`~simulator.hub.Hub` that sends to CPOs.
"""

from __future__ import annotations

import time
from pathlib import Path

from simulator.hub import Hub
from simulator.inbound.authorize import Authorization
from simulator.inbound.bodies import BodyPreparer
from simulator.inbound.charging import Charging
from simulator.inbound.evse_push import EvsePush
from simulator.inbound.monitor import Monitor
from simulator.inbound.pull_auth import Clock, PullAuthentication
from simulator.inbound.remote import RemoteControl
from simulator.inbound.timeline import Timeline
from simulator.partners.emp_client import EMPClient
from simulator.partners.service import Partners


class Inbound:
    """Everything the hub does with what CPOs and EMPs send to it.

    ``pki_dir`` (the folder of ``hubsim pki init``) lets the simulated EMPs get client
    certificates from the mock Hubject CA; ``clock`` drives the rate limits.
    """

    def __init__(
        self, hub: Hub, *, pki_dir: Path | None = None, clock: Clock = time.monotonic
    ) -> None:
        self.hub = hub
        storage = hub.storage
        self.partners = Partners(storage)
        self.timeline = Timeline(storage.sessions)
        self.monitor = Monitor(storage)
        self.remote = RemoteControl(hub, self.partners, self.timeline)
        self.authorization = Authorization(
            self.partners, storage.sessions, self.timeline, self.monitor
        )
        self.evse = EvsePush(self.partners, storage.evse)
        self.bodies = BodyPreparer()  # CPOs' and EMPs' bodies, large ones in a worker
        self.charging = Charging(self.partners, storage.sessions, self.timeline, self.monitor)
        self.pull = PullAuthentication(storage, self.partners, clock)
        self.emp_client = EMPClient(pki_dir) if pki_dir is not None else None
        self.oicp_url: str | None = None  # set once the OICP listener runs

    async def close(self) -> None:
        self.bodies.close()
        if self.emp_client is not None:
            await self.emp_client.close()
