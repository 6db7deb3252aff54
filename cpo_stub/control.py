"""A small plain-HTTP control API, so that suites in any language can drive the stub.

It listens on 127.0.0.1 only and speaks JSON:

- ``GET /requests`` → ``{"requests": [...], "handshake_failures": [...]}``
- ``DELETE /requests`` → clears records, EVSE state and per-EVSE behaviours
- ``PUT /behaviours/{evse_id}`` and ``PUT /behaviours/_default`` with a behaviour as body
  (``{"type": "reject", "code": "602"}``, see ``cpo_stub.behaviour``)
- ``DELETE /behaviours/{evse_id}`` (or ``_default``) → back to the defaults / Accept
- ``PUT /known-evses`` with ``{"evse_ids": [...]}`` or ``{"evse_ids": null}``
- ``GET /state`` → EVSE states, known EvseIDs and behaviours
"""

from __future__ import annotations

import json

from aiohttp import web

from cpo_stub.behaviour import BehaviourError, BehaviourTable, behaviour_from_json
from cpo_stub.core import StubCore
from oicp import jsontext


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _json_body(request: web.Request) -> object:
    try:
        return jsontext.loads(await request.text())
    except ValueError as exc:  # bad JSON or UTF-8, too deep, or a lone surrogate
        raise web.HTTPBadRequest(
            text=json.dumps({"error": f"the request body is not valid JSON: {exc}"}),
            content_type="application/json",
        ) from None


def _evse_key(request: web.Request) -> str | None:
    evse_id = request.match_info["evse_id"]
    return None if evse_id == BehaviourTable.DEFAULT_KEY else evse_id


class ControlAPI:
    """The control routes, acting on one ``StubCore``."""

    def __init__(self, core: StubCore) -> None:
        self._core = core

    def application(self) -> web.Application:
        """A fresh aiohttp application with the control routes."""
        app = web.Application()
        app.router.add_get("/requests", self.get_requests)
        app.router.add_delete("/requests", self.delete_requests)
        app.router.add_put("/behaviours/{evse_id}", self.put_behaviour)
        app.router.add_delete("/behaviours/{evse_id}", self.delete_behaviour)
        app.router.add_put("/known-evses", self.put_known_evses)
        app.router.add_get("/state", self.get_state)
        return app

    async def get_requests(self, request: web.Request) -> web.Response:
        """Every recorded request and failed handshake."""
        return web.json_response(self._core.recorder.to_json())

    async def delete_requests(self, request: web.Request) -> web.Response:
        """Clear records, state and per-EVSE behaviours."""
        self._core.clear()
        return web.json_response({"cleared": True})

    async def put_behaviour(self, request: web.Request) -> web.Response:
        """Set the behaviour of one EVSE, or the default one."""
        key = _evse_key(request)
        try:
            behaviour = behaviour_from_json(await _json_body(request))
        except BehaviourError as exc:
            return _error(400, str(exc))
        self._core.set_behaviour(behaviour, key)
        evse = key or BehaviourTable.DEFAULT_KEY
        return web.json_response({"evse_id": evse, "behaviour": behaviour.to_json()})

    async def delete_behaviour(self, request: web.Request) -> web.Response:
        """Forget the behaviours of one EVSE, or the default ones."""
        self._core.behaviours.reset(_evse_key(request))
        return web.json_response({"evse_id": request.match_info["evse_id"], "reset": True})

    async def put_known_evses(self, request: web.Request) -> web.Response:
        """Set the EvseIDs the stub knows (others get 603), or null for any."""
        data = await _json_body(request)
        ids = data.get("evse_ids", ...) if isinstance(data, dict) else ...
        valid_list = isinstance(ids, list) and all(isinstance(i, str) for i in ids)
        if ids is not None and not valid_list:
            return _error(400, 'send {"evse_ids": ["DE*ABC*E1", ...]} or {"evse_ids": null}')
        self._core.set_known_evses(ids if isinstance(ids, list) else None)
        return web.json_response({"known_evses": ids})

    async def get_state(self, request: web.Request) -> web.Response:
        """EVSE states, known EvseIDs and behaviours."""
        return web.json_response(self._core.state_json())
