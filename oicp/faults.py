"""The bodies Hubject's own endpoints answer with when they do not answer HTTP 200.

Business outcomes travel as HTTP 200 with an acknowledgement, but Hubject's endpoints
refuse some requests at the HTTP level (OICP 2.3 digest §6, swagger responses and
observed payloads):

- 400 "Validation error": a FaultBody ``{"message", "validationErrors": [{"fieldReference",
  "errorMessage"}], "extendedInfo"}``;
- 401 (017 Unauthorized Access), 403 (210), 404 (300 Partner not found), 429 (rate limit):
  an OicpERoamingFault ``{"StatusCode": {"Code", "Description", "AdditionalInfo"}}``.
"""

from __future__ import annotations

from collections.abc import Sequence

from oicp.limits import clip
from oicp.messages import StatusCode
from oicp.validation import Problem
from oicp.wire import JSONObject

VALIDATION_MESSAGE = "Error parsing/validating JSON."
"""The FaultBody message Hubject sends for a body that breaks the schema (observed)."""


def field_reference(pointer: str) -> str:
    """A JSON pointer written the way Hubject's FaultBody names fields.

    ``/OperatorEvseData/EvseDataRecord/0/HotlinePhoneNumber`` becomes
    ``OperatorEvseData.EvseDataRecord[0].HotlinePhoneNumber``; names keep their OICP spelling.
    """
    text = ""
    for part in pointer.split("/")[1:]:
        name = part.replace("~1", "/").replace("~0", "~")
        text += f"[{name}]" if name.isdigit() else f".{name}"
    return text.lstrip(".") or "(body)"


def validation_fault(problems: Sequence[Problem]) -> JSONObject:
    """The HTTP 400 FaultBody listing every problem.

    A message quotes the bad value and a pointer names a key the sender chose: each is
    clipped to 1000 characters, so that a 900 KB EvseID does not come back as a 900 KB fault.
    """
    errors = [
        {
            "fieldReference": clip(field_reference(p.pointer)),
            "errorMessage": clip(p.message),
        }
        for p in problems
    ]
    return {"message": VALIDATION_MESSAGE, "validationErrors": errors, "extendedInfo": None}


def status_fault(code: str, additional_info: str | None = None) -> JSONObject:
    """An OicpERoamingFault: ``{"StatusCode": {...}}`` with the spec's description."""
    status = StatusCode.for_code(code, additional_info)
    return {"StatusCode": status.to_wire(explicit_nulls=True)}


__all__ = ["VALIDATION_MESSAGE", "field_reference", "status_fault", "validation_fault"]
