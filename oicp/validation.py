"""Collecting validation of OICP JSON bodies.

Validators never stop at the first mistake: they read every member they know, append a
``Problem`` for each thing that is wrong and carry on, so that one run reports all of a
message's problems at once (as Hubject's own 400 "validationErrors" list does, OICP 2.3
digest §6). Each problem names the member with an RFC 6901 JSON pointer.

``FieldReader`` is the small tool the message classes use to read one JSON object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from oicp import identifiers


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a message.

    ``pointer`` is an RFC 6901 JSON pointer to the offending member
    ("/Identification/RemoteIdentification/EvcoID"; "" is the whole body), ``rule`` a
    short machine name ("required", "pattern:EvseID", "maxLength:250", "range:1-99",
    "one-of:Identification") and ``message`` one sentence for people.
    """

    pointer: str
    rule: str
    message: str


PROBLEMS_MAX = 100
"""The most problems one message's validation lists; a body may hold thousands, and each one
found costs work and a line of the answer (issue 14: whatever a peer sends is bounded)."""


class TooManyProblems(Exception):
    """Raised by :class:`ProblemList` when validation found :data:`PROBLEMS_MAX` problems."""


class ProblemList(list["Problem"]):
    """The problems of one message: :data:`PROBLEMS_MAX` at most, then the validation stops.

    The next problem raises :class:`TooManyProblems`, which the caller turns into a last
    problem saying that more may follow (:func:`problems_cut_short`).
    """

    def append(self, problem: Problem) -> None:
        if len(self) >= PROBLEMS_MAX:
            raise TooManyProblems
        super().append(problem)


def problems_cut_short(problems: list[Problem]) -> list[Problem]:
    """The problems found up to the limit, and one saying that validation stopped there."""
    note = Problem(
        "",
        "problems:max",
        f"validation stopped after {PROBLEMS_MAX} problems; fix these and send the message "
        "again to see the rest",
    )
    return [*problems, note]


@dataclass(frozen=True)
class NamedPattern:
    """A regular expression with the OICP type name it checks and an example value."""

    name: str
    regex: re.Pattern[str]
    example: str


EVSE_ID = NamedPattern(
    "EvseID", identifiers.EVSE_ID_PATTERN, "'DE*ABC*E123456' or '+49*810*000*438'"
)
PROVIDER_ID = NamedPattern("ProviderID", identifiers.PROVIDER_ID_PATTERN, "'DE-DCB' or 'DE*ICE'")
OPERATOR_ID = NamedPattern("OperatorID", identifiers.OPERATOR_ID_PATTERN, "'DE*ABC'")
EVCO_ID = NamedPattern("EvcoID", identifiers.EVCO_ID_PATTERN, "'DE-DCB-C12345678-X'")
SESSION_ID = NamedPattern(
    "SessionID", identifiers.SESSION_ID_PATTERN, "'b2688855-7f00-0002-6d8e-48d883f6abb6'"
)
UID = NamedPattern("UID", identifiers.UID_PATTERN, "'7568290FFF765F' (8, 14 or 20 hex digits)")
HASH_VALUE = NamedPattern("HashValue", identifiers.HASH_VALUE_PATTERN, "'a5ghdhf73h'")
STATUS_CODE = NamedPattern("Code", identifiers.STATUS_CODE_PATTERN, "'000' (a string)")


def child_pointer(pointer: str, key: str) -> str:
    """The JSON pointer of member ``key`` inside the object at ``pointer`` (RFC 6901)."""
    if "~" in key or "/" in key:
        key = key.replace("~", "~0").replace("/", "~1")
    return f"{pointer}/{key}"


def json_type_name(value: object) -> str:
    """The JSON type of a decoded value, for messages ("string", "null", "integer" …)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def describe_pointer(pointer: str) -> str:
    """A pointer for people: the root "" reads as "(body)"."""
    return pointer or "(body)"


def summarise(problems: Sequence[Problem], limit: int = 1000) -> str:
    """ "pointer: message; pointer: message" cut to ``limit`` characters.

    1000 is OICP's limit for StatusCode.AdditionalInfo (OICP 2.3 StatusCodeType).
    """
    text = "; ".join(f"{describe_pointer(p.pointer)}: {p.message}" for p in problems)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_object(
    value: object, pointer: str, problems: list[Problem], *, name: str
) -> FieldReader | None:
    """A reader for ``value`` if it is a JSON object; else record a "type:object" problem."""
    if isinstance(value, dict):
        return FieldReader(value, pointer, problems)
    problems.append(
        Problem(
            pointer, "type:object", f"{name} must be a JSON object, got {json_type_name(value)}"
        )
    )
    return None


class FieldReader:
    """Reads the members of one JSON object and records every problem it finds.

    Absent members and explicit ``null`` members are treated alike: Hubject serialises
    absent optional fields as ``null`` (OICP 2.3 digest §2.1), so both mean "not given".
    Each ``read`` method returns the value when it is valid and None otherwise.
    """

    def __init__(self, body: Mapping[str, object], pointer: str, problems: list[Problem]) -> None:
        self.body = body
        self.pointer = pointer
        self.problems = problems

    def label(self, key: str) -> str:
        """How a message names member ``key``."""
        return key

    def rule_name(self, key: str) -> str:
        """How a problem's rule names member ``key`` ("enum:PowerType")."""
        return key

    def pointer_to(self, key: str) -> str:
        """The JSON pointer of member ``key``."""
        return child_pointer(self.pointer, key)

    def add(self, key: str, rule: str, message: str) -> None:
        """Record a problem with member ``key``."""
        self.problems.append(Problem(self.pointer_to(key), rule, message))

    def present(self, key: str) -> bool:
        """True if member ``key`` exists and is not null."""
        return self.body.get(key) is not None

    def value(self, key: str, *, required: bool = False) -> object | None:
        """The raw member (None if absent or null); records "required" if it must be given."""
        value = self.body.get(key)
        if value is None and required:
            state = "null" if key in self.body else "missing"
            self.add(key, "required", f"{self.label(key)} is required but is {state}")
        return value

    def _wrong_type(self, key: str, value: object, type_name: str) -> None:
        article = "an" if type_name[0] in "aeiou" else "a"
        self.add(
            key,
            f"type:{type_name}",
            f"{self.label(key)} must be {article} {type_name}, got {json_type_name(value)}",
        )

    def string(
        self,
        key: str,
        *,
        required: bool = False,
        pattern: NamedPattern | None = None,
        max_length: int | None = None,
        choices: tuple[str, ...] | None = None,
    ) -> str | None:
        """Read a string member, checking its pattern, length and allowed values."""
        value = self.body.get(key)
        if value is None:
            if required:
                self.value(key, required=True)  # records why it is missing
            return None
        if not isinstance(value, str):
            self._wrong_type(key, value, "string")
            return None
        # Every request passes through here several times: a valid value takes one test;
        # only an invalid one goes through the checks that describe each problem.
        if (
            (pattern is None or pattern.regex.fullmatch(value))
            and (max_length is None or len(value) <= max_length)
            and (choices is None or value in choices)
        ):
            return value
        ok = self._check_pattern(key, value, pattern)
        ok = self._check_length(key, value, max_length) and ok
        ok = self._check_choice(key, value, choices) and ok
        return value if ok else None

    def _check_pattern(self, key: str, value: str, pattern: NamedPattern | None) -> bool:
        if pattern is None or pattern.regex.fullmatch(value):
            return True
        self.add(
            key,
            f"pattern:{pattern.name}",
            f"{self.label(key)} {value!r} is not a valid OICP {pattern.name}; "
            f"expected e.g. {pattern.example}",
        )
        return False

    def _check_length(self, key: str, value: str, max_length: int | None) -> bool:
        if max_length is None or len(value) <= max_length:
            return True
        self.add(
            key,
            f"maxLength:{max_length}",
            f"{self.label(key)} is {len(value)} characters long; OICP allows at most {max_length}",
        )
        return False

    def _check_choice(self, key: str, value: str, choices: tuple[str, ...] | None) -> bool:
        if choices is None or value in choices:
            return True
        allowed = ", ".join(repr(c) for c in choices)
        self.add(
            key,
            f"enum:{self.rule_name(key)}",
            f"{self.label(key)} {value!r} is not allowed; use one of {allowed}",
        )
        return False

    def integer(
        self, key: str, *, minimum: int, maximum: int, required: bool = False
    ) -> int | None:
        """Read an integer member (never a boolean or a float) within [minimum, maximum]."""
        value = self.value(key, required=required)
        if value is None:
            return None
        # bool is a subclass of int in Python but never a JSON integer.
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong_type(key, value, "integer")
            return None
        if minimum <= value <= maximum:
            return value
        self.add(
            key,
            f"range:{minimum}-{maximum}",
            f"{self.label(key)} is {value}; it must be between {minimum} and {maximum}",
        )
        return None

    def boolean(self, key: str, *, required: bool = False) -> bool | None:
        """Read a boolean member (true/false, never 0/1 or "true")."""
        value = self.value(key, required=required)
        if value is None or isinstance(value, bool):
            return value
        self._wrong_type(key, value, "boolean")
        return None

    def date_time(self, key: str, *, required: bool = False) -> str | None:
        """Read an RFC 3339 date-time string; it is returned unchanged (OICP keeps the form)."""
        value = self.string(key, required=required)
        if value is None:
            return None
        try:
            datetime.fromisoformat(value)
        except ValueError:
            self.add(
                key,
                "format:date-time",
                f"{self.label(key)} {value!r} is not a date-time; "
                "use e.g. '2021-01-23T14:21:36+01:00'",
            )
            return None
        return value

    def object(self, key: str, *, required: bool = False) -> FieldReader | None:
        """A reader for an object member, or None if it is absent, null or not an object."""
        value = self.value(key, required=required)
        if value is None:
            return None
        return as_object(value, self.pointer_to(key), self.problems, name=self.label(key))


class ItemReader(FieldReader):
    """Reads the items of an array as the members "0", "1" … of an object.

    ``body`` maps each index (as text) to its item, ``pointer`` is the array's pointer, so an
    item's pointer is ``/Plugs/0`` and its messages name it ``Plugs[0]``.
    """

    def __init__(
        self, array_name: str, items: Sequence[object], pointer: str, problems: list[Problem]
    ) -> None:
        super().__init__({str(i): item for i, item in enumerate(items)}, pointer, problems)
        self.array_name = array_name

    def label(self, key: str) -> str:
        return f"{self.array_name}[{key}]"

    def rule_name(self, key: str) -> str:
        return self.array_name
