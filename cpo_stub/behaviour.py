"""How the stub CPO answers a request: the configurable behaviours.

A behaviour is set for one EvseID or as the default for every EVSE, and may be limited to
some operations. OICP lets a CPO refuse a remote start or reservation with Result false
and a 5xx-7xx status code (OICP 2.3 CPO, 02_CPO_Services_and_Operations, figures for
eRoamingAuthorizeRemoteStart and eRoamingAuthorizeRemoteReservationStart: "500-700");
the transport faults (a dropped connection, HTTP 500, a body that is not JSON, a slow
answer) are the ones a hub must survive.

The JSON form (control API, scenario files) is ``{"type": "accept"}``,
``{"type": "reject", "code": "602", "additional_info": "…"}``,
``{"type": "delay", "seconds": 2.5, "then": {…}}``, ``{"type": "close"}``,
``{"type": "http500"}`` and ``{"type": "malformed_json"}``; any of them may carry
``"operations": ["eRoamingAuthorizeRemoteStart", …]`` (wire names or slugs).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeGuard, cast

from oicp import jsontext
from oicp.operations import Operation

_CODE = re.compile(r"^[0-9]{3}$")


class BehaviourError(ValueError):
    """A behaviour (usually from JSON) is not valid; the message names the field at fault."""


@dataclass(frozen=True)
class _Base:
    # kw_only keeps the subclasses' own fields positional (Reject("602")).
    operations: frozenset[Operation] | None = field(default=None, kw_only=True)

    def applies_to(self, operation: Operation) -> bool:
        """True if this behaviour answers ``operation`` (no restriction means every one)."""
        return self.operations is None or operation in self.operations

    def to_json(self) -> dict[str, object]:
        """The JSON form of this behaviour (see ``behaviour_from_json``)."""
        return behaviour_to_json(cast("Behaviour", self))

    def _suffix(self) -> str:
        if self.operations is None:
            return ""
        names = ", ".join(sorted(op.slug for op in self.operations))
        return f" (only {names})"


@dataclass(frozen=True)
class Accept(_Base):
    """Answer Result true, 000, echo the SessionID; a start gets a CPOPartnerSessionID.

    The EVSE state rules still apply: an accepted start on a busy EVSE answers 601/602.
    """

    def describe(self) -> str:
        """A short label for records and logs."""
        return "accept" + self._suffix()


@dataclass(frozen=True)
class Reject(_Base):
    """Answer Result false with status ``code`` ("602", "700", "501" …).

    The description comes from the OICP status table; ``additional_info`` is sent as
    StatusCode.AdditionalInfo.
    """

    code: str
    additional_info: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _CODE.fullmatch(self.code):
            raise BehaviourError(
                f"Reject code must be a three-digit string such as '602', got {self.code!r}"
            )

    def describe(self) -> str:
        """A short label for records and logs."""
        return f"reject {self.code}" + self._suffix()


@dataclass(frozen=True)
class Delay(_Base):
    """Wait ``seconds`` before answering as ``then`` does (a slow CPO backend)."""

    seconds: float
    then: Behaviour = field(default_factory=Accept)

    def __post_init__(self) -> None:
        if not _is_number(self.seconds) or not math.isfinite(self.seconds) or self.seconds < 0:
            raise BehaviourError(
                f"Delay seconds must be a number of seconds >= 0, got {self.seconds!r}"
            )

    def describe(self) -> str:
        """A short label for records and logs."""
        return f"delay {self.seconds:g}s then {self.then.describe()}" + self._suffix()


@dataclass(frozen=True)
class CloseConnection(_Base):
    """Drop the connection without answering (the hub sees a disconnect)."""

    def describe(self) -> str:
        """A short label for records and logs."""
        return "close" + self._suffix()


@dataclass(frozen=True)
class Http500(_Base):
    """Answer HTTP 500 with a short plain-text body instead of an acknowledgement."""

    def describe(self) -> str:
        """A short label for records and logs."""
        return "http500" + self._suffix()


@dataclass(frozen=True)
class MalformedJson(_Base):
    """Answer HTTP 200 with a JSON content type but a body that is not valid JSON."""

    def describe(self) -> str:
        """A short label for records and logs."""
        return "malformed_json" + self._suffix()


Behaviour = Accept | Reject | Delay | CloseConnection | Http500 | MalformedJson
"""Any one of the stub's behaviours."""


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- JSON form --------------------------------------------------------------------------


def behaviour_to_json(behaviour: Behaviour) -> dict[str, object]:
    """The JSON form of ``behaviour`` (the inverse of ``behaviour_from_json``)."""
    data: dict[str, object] = {"type": _TYPE_NAMES[type(behaviour)]}
    if isinstance(behaviour, Reject):
        data["code"] = behaviour.code
        data["additional_info"] = behaviour.additional_info
    elif isinstance(behaviour, Delay):
        data["seconds"] = behaviour.seconds
        data["then"] = behaviour_to_json(behaviour.then)
    if behaviour.operations is not None:
        data["operations"] = sorted(op.value for op in behaviour.operations)
    return data


def behaviour_from_json(data: object, *, where: str = "behaviour") -> Behaviour:
    """Build a behaviour from its JSON form; BehaviourError names the field at fault."""
    if not isinstance(data, Mapping):
        raise BehaviourError(f'{where} must be a JSON object such as {{"type": "accept"}}')
    kind = data.get("type")
    builder = _BUILDERS.get(kind) if isinstance(kind, str) else None
    if builder is None or not isinstance(kind, str):
        names = ", ".join(repr(name) for name in _BUILDERS)
        raise BehaviourError(f"{where}.type must be one of {names}, got {_as_sent(kind)}")
    _reject_unknown_keys(data, kind, where)
    operations = _operations_from_json(data.get("operations"), f"{where}.operations")
    return builder(data, where, operations)


def _reject_unknown_keys(data: Mapping[str, object], kind: str, where: str) -> None:
    allowed = {"type", "operations", *_EXTRA_KEYS.get(kind, ())}
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise BehaviourError(
            f"{where} of type {kind!r} has unknown field(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )


def _operations_from_json(value: object, where: str) -> frozenset[Operation] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise BehaviourError(f"{where} must be a non-empty list of operation names or null")
    return frozenset(_operation_from_json(item, f"{where}[{i}]") for i, item in enumerate(value))


def _operation_from_json(item: object, where: str) -> Operation:
    for operation in Operation:
        if item in (operation.value, operation.slug):
            return operation
    names = ", ".join(op.value for op in Operation)
    raise BehaviourError(f"{where} is {item!r}; use one of {names} (or their slugs)")


def _optional_text(data: Mapping[str, object], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise BehaviourError(f"{where}.{key} must be a string or null, got {_as_sent(value)}")


def _as_sent(value: object) -> str:
    """A value of the control API's JSON body as it was sent (null, true, "602"), not as
    Python writes it (None, True, '602'); a member left out is told as such."""
    if value is None:
        return "null or nothing"
    try:
        return jsontext.dumps(value)
    except TypeError:
        return repr(value)


_Builder = Callable[[Mapping[str, object], str, frozenset[Operation] | None], Behaviour]


def _reject_from_json(
    data: Mapping[str, object], where: str, ops: frozenset[Operation] | None
) -> Behaviour:
    code = data.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise BehaviourError(
            f'{where}.code must be a three-digit status code string such as "602", '
            f"got {_as_sent(code)}"
        )
    info = _optional_text(data, "additional_info", where)
    return Reject(code, info, operations=ops)


def _delay_from_json(
    data: Mapping[str, object], where: str, ops: frozenset[Operation] | None
) -> Behaviour:
    seconds = data.get("seconds")
    if not _is_number(seconds) or not math.isfinite(seconds) or seconds < 0:
        raise BehaviourError(
            f"{where}.seconds must be a number of seconds >= 0, got {_as_sent(seconds)}"
        )
    then_data = data.get("then")
    then = Accept() if then_data is None else behaviour_from_json(then_data, where=f"{where}.then")
    return Delay(float(seconds), then, operations=ops)


_BUILDERS: dict[str, _Builder] = {
    "accept": lambda data, where, ops: Accept(operations=ops),
    "reject": _reject_from_json,
    "delay": _delay_from_json,
    "close": lambda data, where, ops: CloseConnection(operations=ops),
    "http500": lambda data, where, ops: Http500(operations=ops),
    "malformed_json": lambda data, where, ops: MalformedJson(operations=ops),
}

_EXTRA_KEYS: dict[str, tuple[str, ...]] = {
    "reject": ("code", "additional_info"),
    "delay": ("seconds", "then"),
}

_TYPE_NAMES: dict[type, str] = {
    Accept: "accept",
    Reject: "reject",
    Delay: "delay",
    CloseConnection: "close",
    Http500: "http500",
    MalformedJson: "malformed_json",
}


# --- which behaviour answers a request ------------------------------------------------------


class BehaviourTable:
    """The behaviours set per EvseID and for all EVSEs, newest first.

    A request is answered by the newest behaviour for its EvseID that applies to its
    operation, else by the newest applicable default, else by ``Accept()``. Setting an
    unrestricted behaviour replaces every earlier one for that key; a restricted one
    replaces those whose operations it covers.
    """

    DEFAULT_KEY = "_default"

    def __init__(self) -> None:
        self._by_key: dict[str, list[Behaviour]] = {}

    def set(self, behaviour: Behaviour, evse_id: str | None = None) -> None:
        """Use ``behaviour`` for ``evse_id`` (None: as the default for every EVSE)."""
        key = evse_id or self.DEFAULT_KEY
        kept = [old for old in self._by_key.get(key, []) if not _covers(behaviour, old)]
        self._by_key[key] = [behaviour, *kept]

    def reset(self, evse_id: str | None = None) -> None:
        """Forget the behaviours of ``evse_id`` (None: the defaults)."""
        self._by_key.pop(evse_id or self.DEFAULT_KEY, None)

    def clear_evses(self) -> None:
        """Forget every per-EVSE behaviour; the defaults stay."""
        self._by_key = {k: v for k, v in self._by_key.items() if k == self.DEFAULT_KEY}

    def for_request(self, evse_id: str | None, operation: Operation) -> Behaviour:
        """The behaviour that answers ``operation`` on ``evse_id``."""
        keys = [evse_id, self.DEFAULT_KEY] if evse_id else [self.DEFAULT_KEY]
        for key in keys:
            for behaviour in self._by_key.get(key, []):
                if behaviour.applies_to(operation):
                    return behaviour
        return Accept()

    def to_json(self) -> dict[str, list[dict[str, object]]]:
        """``{evse_id or "_default": [behaviour JSON, newest first]}``."""
        return {key: [b.to_json() for b in items] for key, items in sorted(self._by_key.items())}


def _covers(new: Behaviour, old: Behaviour) -> bool:
    if new.operations is None:
        return True
    return old.operations is not None and old.operations <= new.operations
