"""Protocol errors: every one carries the OICP status code it should be answered with.

A CPO answers a refused or malformed request with HTTP 200 and an eRoamingAcknowledgement
whose StatusCode explains why (OICP 2.3 CPO, 02_CPO_Services_and_Operations,
eRoamingAcknowledgement); ``StatusCode.from_error`` in ``oicp.messages`` builds that StatusCode.
This module imports no message type, so every message module can raise these errors.
"""

from __future__ import annotations

from collections.abc import Sequence

from oicp import status
from oicp.validation import Problem, describe_pointer, summarise

ADDITIONAL_INFO_LIMIT = 1000
"""OICP's maximum length of StatusCode.AdditionalInfo (OICP 2.3 StatusCodeType)."""


class OICPError(Exception):
    """An OICP protocol error with its status code, description and additional information.

    ``description`` defaults to the spec's text for ``code`` ("Unknown EVSE ID." for "603").
    """

    def __init__(
        self,
        code: str,
        description: str | None = None,
        additional_info: str | None = None,
    ) -> None:
        self.code = code
        self.description = description or status.describe(code) or f"Status code {code}."
        self.additional_info = additional_info
        super().__init__(self._text())

    def _text(self) -> str:
        text = f"OICP {self.code} {self.description}"
        return f"{text} {self.additional_info}" if self.additional_info else text


class OICPValidationError(OICPError):
    """A message that breaks OICP's schema: code 022 "Data error." with every problem found.

    ``additional_info`` lists the problems as "pointer: message; …", cut to 1000 characters.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("OICPValidationError needs at least one Problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(
            status.DATA_ERROR,
            additional_info=summarise(self.problems, ADDITIONAL_INFO_LIMIT),
        )

    def _text(self) -> str:
        count = len(self.problems)
        lines = [f"OICP {self.code} {self.description} {count} problem(s):"]
        lines += [f"  {describe_pointer(p.pointer)} [{p.rule}]: {p.message}" for p in self.problems]
        return "\n".join(lines)
