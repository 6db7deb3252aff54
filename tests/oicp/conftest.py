"""Shared example bodies for the OICP protocol tests (shapes from the OICP 2.3 spec examples)."""

from __future__ import annotations

from typing import Any

import pytest

SESSION_ID = "f98efba4-02d8-4fa0-b810-9a9d50d2c527"


@pytest.fixture
def remote_start_body() -> dict[str, Any]:
    """The spec's eRoamingAuthorizeRemoteStart example, reduced to RemoteIdentification."""
    return {
        "SessionID": SESSION_ID,
        "CPOPartnerSessionID": "1234XYZ",
        "EMPPartnerSessionID": "2345ABC",
        "ProviderID": "DE-DCB",
        "EvseID": "DE*XYZ*ETEST1",
        "Identification": {"RemoteIdentification": {"EvcoID": "DE-DCB-C12345678-X"}},
        "PartnerProductID": "AC1",
    }


@pytest.fixture
def remote_stop_body() -> dict[str, Any]:
    """The spec's eRoamingAuthorizeRemoteStop example."""
    return {
        "SessionID": SESSION_ID,
        "CPOPartnerSessionID": "1234XYZ",
        "EMPPartnerSessionID": "2345ABC",
        "ProviderID": "DE-DCB",
        "EvseID": "DE*XYZ*ETEST1",
    }


@pytest.fixture
def reservation_start_body() -> dict[str, Any]:
    """The spec's eRoamingAuthorizeRemoteReservationStart example (RemoteIdentification only)."""
    return {
        "SessionID": "b2688855-7f00-0002-6d8e-48d883f6abb6",
        "CPOPartnerSessionID": "1234XYZ",
        "EMPPartnerSessionID": "2345ABC",
        "ProviderID": "DE-DCB",
        "EvseID": "DE*XYZ*ETEST1",
        "Identification": {"RemoteIdentification": {"EvcoID": "DE-DCB-C12345678-X"}},
        "PartnerProductID": "Reservation",
        "Duration": 15,
    }


@pytest.fixture
def reservation_stop_body() -> dict[str, Any]:
    """The spec's eRoamingAuthorizeRemoteReservationStop example."""
    return {
        "SessionID": "b2688855-7f00-0002-6d8e-48d883f6abb6",
        "CPOPartnerSessionID": "1234XYZ",
        "EMPPartnerSessionID": "2345ABC",
        "ProviderID": "DE-DCB",
        "EvseID": "DE*XYZ*ETEST1",
    }


@pytest.fixture
def real_traffic_remote_start_body() -> dict[str, Any]:
    """A RemoteStart as the real HBS sends it: explicit nulls and all five Identification keys."""
    return {
        "CPOPartnerSessionID": None,
        "EMPPartnerSessionID": None,
        "EvseID": "DE*ICE*E0000TEST*9",
        "Identification": {
            "RFIDMifareFamilyIdentification": None,
            "QRCodeIdentification": None,
            "PlugAndChargeIdentification": None,
            "RemoteIdentification": {"EvcoID": "DE*ICE*I01000*6"},
            "RFIDIdentification": None,
        },
        "PartnerProductID": None,
        "ProviderID": "DE*ICE",
        "SessionID": None,
    }
