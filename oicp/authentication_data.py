"""eRoamingPullAuthenticationData (OICP 2.2, V2.1): a CPO downloads EMPs' offline data.

Not part of OICP 2.3 (the 2.3 swagger ``auth-api-docs-2.1`` keeps only the EMP's push);
from OICP 2.2's ``auth-api-docs-2.1.json`` (digest §1.3). The request is
``{"OperatorID": …}``; the answer lists, per EMP, the identifications it uploaded for
offline authorization. Hubject's acceptable-use policy allows six pulls a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from oicp.bodies import parse_body
from oicp.cpo_operations import CPOOperation
from oicp.identification import Identification, identification_to_wire
from oicp.messages import StatusCode
from oicp.validation import OPERATOR_ID, FieldReader
from oicp.wire import JSONObject

PULLS_PER_MINUTE = 6
"""Hubject's acceptable-use limit for PullAuthenticationData (certificates digest §4)."""


@dataclass(frozen=True)
class PullAuthenticationData:
    """The request: which operator pulls."""

    operator_id: str
    operation: ClassVar[CPOOperation] = CPOOperation.PULL_AUTHENTICATION_DATA

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        return {"OperatorID": self.operator_id}

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        operator_id = reader.string("OperatorID", required=True, pattern=OPERATOR_ID)
        return None if operator_id is None else cls(operator_id)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


@dataclass(frozen=True)
class ProviderAuthenticationData:
    """One EMP's uploaded identifications."""

    provider_id: str
    identifications: tuple[Identification, ...]

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        records = [
            {"Identification": identification_to_wire(i, explicit_nulls=explicit_nulls)}
            for i in self.identifications
        ]
        return {"ProviderID": self.provider_id, "AuthenticationDataRecord": records}


@dataclass(frozen=True)
class AuthenticationData:
    """eRoamingAuthenticationData: the answer to a pull."""

    providers: tuple[ProviderAuthenticationData, ...]
    status_code: StatusCode

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """``{"AuthenticationData": {"ProviderAuthenticationData": [..]}, "StatusCode": {..}}``."""
        data = [p.to_wire(explicit_nulls=explicit_nulls) for p in self.providers]
        return {
            "AuthenticationData": {"ProviderAuthenticationData": data},
            "StatusCode": self.status_code.to_wire(explicit_nulls=explicit_nulls),
        }


__all__ = [
    "PULLS_PER_MINUTE",
    "AuthenticationData",
    "ProviderAuthenticationData",
    "PullAuthenticationData",
]
