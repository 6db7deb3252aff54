"""How a simulated EMP answers what the hub forwards to it.

Hubject forwards authorization requests to an EMP with Online Request, and forwards charging
notifications and CDRs to the EMP of the session (OICP 2.3 CPO, eRoamingAuthorizeStart,
eRoamingChargingNotifications, eRoamingChargeDetailRecord). The mock's EMPs live inside the
hub, so they answer in process, from their configuration: an EMP authorizes the
identifications of its authentication data, and an EMP configured unreachable answers
nothing (the hub then acts as if the connection failed).
"""

from __future__ import annotations

from dataclasses import dataclass

from oicp import status
from oicp.identification import (
    Identification,
    PlugAndChargeIdentification,
    QRCodeIdentification,
)
from simulator.partner_model import EMP


@dataclass(frozen=True)
class EMPAnswer:
    """One EMP's answer: did it authorize (or acknowledge), with which code, and why."""

    provider_id: str
    positive: bool
    code: str
    detail: str


def _refusal_code(identification: Identification) -> str:
    """The EMP-side code for an identification it does not know (OICP 2.3 CodeType)."""
    if isinstance(identification, QRCodeIdentification):
        return status.QR_CODE_INVALID_CREDENTIALS
    if isinstance(identification, PlugAndChargeIdentification):
        return status.PLC_INVALID_EVCO_ID
    return status.RFID_INVALID_UID


def unreachable(emp: EMP) -> EMPAnswer:
    return EMPAnswer(
        emp.provider_id,
        False,
        status.PARTNER_DID_NOT_RESPOND,
        f"the simulated EMP {emp.provider_id} is configured unreachable (reachable: false)",
    )


def authorize(emp: EMP, identification: Identification) -> EMPAnswer:
    """The EMP's answer to an authorization request forwarded by the hub."""
    if not emp.reachable:
        return unreachable(emp)
    if emp.knows(identification) is not None:
        return EMPAnswer(emp.provider_id, True, status.SUCCESS, "known to the EMP")
    return EMPAnswer(
        emp.provider_id,
        False,
        _refusal_code(identification),
        f"the identification is not in the authentication data of {emp.provider_id}",
    )


def acknowledge(emp: EMP, what: str) -> EMPAnswer:
    """The EMP's acknowledgement of a forwarded notification or CDR."""
    if not emp.reachable:
        return unreachable(emp)
    return EMPAnswer(emp.provider_id, True, status.SUCCESS, f"{what} received by the EMP")
