"""Value types of the simulated EMPs: their settings, authentication data and contracts.

An EMP at Hubject chooses how it authorizes customers (support articles "Service Type
Settings", certificates digest §5):

- *offline*: it uploads authentication data to the HBS, which authorizes on its own;
- *Online Request*: the HBS forwards authorization requests it can attribute to the EMP
  (by the EvcoID of a QR code, Plug&Charge or remote identification);
- *Broadcast Request* (with Online Request): the HBS also asks it about identifications it
  cannot attribute (RFID cards), together with every other EMP under contract.

A contract is what Hubject calls an offer/subscription between one EMP and one CPO for one
service type (OICP 2.3 digest §5, code 210 "No valid contract").

These types sit beside ``simulator.model``, below ``simulator.storage`` which stores them and
``simulator.partners`` which applies the rules, so imports point one way.
"""

from __future__ import annotations

from dataclasses import dataclass

from oicp.identification import (
    Identification,
    PlugAndChargeIdentification,
    QRCodeIdentification,
    RemoteIdentification,
    RFIDIdentification,
    RFIDMifareFamilyIdentification,
    identification_to_wire,
)
from simulator.model import ServiceType

CONTRACT_SERVICE_TYPES = (ServiceType.AUTHORIZATION, ServiceType.RESERVATION)
"""The service types an EMP can subscribe to (PullAuthenticationData is a CPO-only type)."""


@dataclass(frozen=True)
class EMP:
    """A simulated e-mobility provider known to the hub."""

    provider_id: str
    name: str = ""
    offline_authorization: bool = False
    online_request: bool = True
    broadcast_request: bool = False
    reachable: bool = True
    authentication_data: tuple[Identification, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "provider_id": self.provider_id,
            "name": self.name,
            "offline_authorization": self.offline_authorization,
            "online_request": self.online_request,
            "broadcast_request": self.broadcast_request,
            "reachable": self.reachable,
            "authentication_data": [identification_to_wire(i) for i in self.authentication_data],
        }

    def knows(self, identification: Identification) -> Identification | None:
        """The entry of this EMP's authentication data that matches ``identification``."""
        for entry in self.authentication_data:
            if identification_matches(entry, identification):
                return entry
        return None


@dataclass(frozen=True)
class Contract:
    """EMP ``provider_id`` subscribes to CPO ``operator_id``'s ``service_type``."""

    provider_id: str
    operator_id: str
    service_type: ServiceType

    def to_json(self) -> dict[str, object]:
        return {
            "provider_id": self.provider_id,
            "operator_id": self.operator_id,
            "service_type": self.service_type.slug,
        }


def identification_key(identification: Identification) -> tuple[str, str]:
    """What identifies a customer: ("uid", UID) for cards, ("evco", EvcoID) for contracts.

    Hubject upper-cases UIDs and EvcoIDs (IdentificationType), so the key is upper case.
    """
    if isinstance(identification, RFIDMifareFamilyIdentification | RFIDIdentification):
        return "uid", identification.uid.upper()
    return "evco", identification.evco_id.upper()


def identification_matches(stored: Identification, given: Identification) -> bool:
    """True if ``given`` names the same customer as ``stored`` (and its PIN, for QR codes)."""
    if identification_key(stored) != identification_key(given):
        return False
    if isinstance(stored, QRCodeIdentification) and stored.pin is not None:
        return isinstance(given, QRCodeIdentification) and given.pin == stored.pin
    return True


def evco_of(identification: Identification) -> str | None:
    """The EvcoID an identification carries, if any (cards carry none)."""
    if isinstance(
        identification,
        QRCodeIdentification | PlugAndChargeIdentification | RemoteIdentification,
    ):
        return identification.evco_id
    return None
