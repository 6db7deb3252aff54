"""Cross-check every message we build against Hubject's official CPO OpenAPI.

The schemas come from Hubject's ``oicp-cpo-2.3-api-doc`` (``openapi.yaml``,
``schemas/*.yaml``, ``resources/**.yaml``), kept read-only in ``../shared/oicp/openapi-cpo``.
They reference each other with relative file ``$ref``s; ``load_openapi`` inlines them.

OpenAPI 3.0 schemas are not quite JSON Schema, and Hubject's have quirks of their own;
``to_json_schema`` converts them, and each conversion is stated here:

- ``maximum``/``minimum`` on a *string* (Hubject writes ``maximum: 250`` for the partner
  session IDs, ``maximum: 50`` for ProductID …) constrain nothing in JSON Schema. The
  spec's "Field Length" column is what they mean, so we translate them to
  ``maxLength``/``minLength``; this makes the cross-check stricter, never looser.
- ``nullable: true`` (OpenAPI 3.0) becomes an added ``"null"`` type. Hubject's CPO
  schemas use none, so **no member may be null** in the official schema.
- ``example`` members are dropped (they are documentation, and YAML turns some into
  datetime objects).

Explicit nulls: real HBS traffic writes absent members as ``null`` (OICP 2.3 digest §2.1),
but the official schema has no ``nullable``, so Hubject's own traffic is not valid against
it. We therefore validate ``to_wire(explicit_nulls=False)`` against the schema as
published, and ``to_wire(explicit_nulls=True)`` against the schema with every *optional*
member made nullable (required members still may not be null); one test shows that the
published schema indeed rejects the explicit-null shape.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from oicp.errors import OICPValidationError
from oicp.messages import (
    REQUEST_TYPES,
    Acknowledgement,
    AuthorizeRemoteReservationStart,
    AuthorizeRemoteReservationStop,
    AuthorizeRemoteStart,
    AuthorizeRemoteStop,
    HashedPIN,
    Identification,
    LegacyHashData,
    PlugAndChargeIdentification,
    QRCodeIdentification,
    RemoteIdentification,
    RemoteRequest,
    RequestType,
    RFIDIdentification,
    RFIDMifareFamilyIdentification,
    StatusCode,
    identification_to_wire,
)
from oicp.operations import Operation
from oicp.paths import hub_to_cpo_path
from oicp.status import STATUS_CODES
from oicp.validation import Problem
from tests.oicp.official import MISSING, OPENAPI_DIR, load_openapi, post_named, to_json_schema

SESSION = "b2688855-7f00-0002-6d8e-48d883f6abb6"
EVCO = "DE-DCB-C12345678-X"


def with_nullable_optionals(node: Any) -> Any:
    """The schema where every non-required object member may also be null."""
    if isinstance(node, list):
        return [with_nullable_optionals(item) for item in node]
    if not isinstance(node, dict):
        return node
    schema = {key: with_nullable_optionals(value) for key, value in node.items()}
    required = set(schema.get("required", ()))
    properties = schema.get("properties", {})
    for name, member in properties.items():
        if name not in required:
            properties[name] = {"anyOf": [{"type": "null"}, member]}
    return schema


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    if not OPENAPI_DIR.is_dir():
        pytest.skip(MISSING)
    return load_openapi()


def _post_of(openapi: dict[str, Any], operation: Operation) -> tuple[str, dict[str, Any]]:
    """The OpenAPI path and POST object whose operationId names ``operation``."""
    return post_named(openapi, operation.value)


def request_schema(openapi: dict[str, Any], operation: Operation) -> Any:
    _, post = _post_of(openapi, operation)
    return to_json_schema(post["requestBody"]["content"]["application/json"]["schema"])


def acknowledgement_schema(openapi: dict[str, Any]) -> Any:
    _, post = _post_of(openapi, Operation.AUTHORIZE_REMOTE_START)
    return to_json_schema(post["responses"]["200"]["content"]["application/json"]["schema"])


def schema_errors(schema: Any, instance: object) -> list[str]:
    # OpenAPI 3.0's schema object is an extended subset of JSON Schema draft 4/5.
    validator = jsonschema.Draft4Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


# ---------------------------------------------------------------------------------------
# The messages to check: each optional field unset, set alone, all set, and at its limit

BASE: dict[RequestType, dict[str, Any]] = {
    # The official RemoteStart schema requires SessionID (the HBS generates it before
    # forwarding, OICP 2.3 §eRoamingAuthorizeRemoteStart), so our RemoteStart variants always
    # carry one; test_official_remote_start_requires_session_id_which_we_tolerate_missing
    # records the difference.
    AuthorizeRemoteStart: {
        "provider_id": "DE-DCB",
        "evse_id": "DE*XYZ*ETEST1",
        "identification": RemoteIdentification(EVCO),
        "session_id": SESSION,
    },
    AuthorizeRemoteStop: {
        "provider_id": "DE-DCB",
        "evse_id": "DE*XYZ*ETEST1",
        "session_id": SESSION,
    },
    AuthorizeRemoteReservationStart: {
        "provider_id": "DE*ICE",
        "evse_id": "+49*810*000*438",
        "identification": RemoteIdentification("DE*ICE*I01000*6"),
    },
    AuthorizeRemoteReservationStop: {
        "provider_id": "DE8EO",
        "evse_id": "DEAB7E8406487",
        "session_id": SESSION,
    },
}
SAMPLES: dict[str, Any] = {
    "session_id": SESSION,
    "cpo_partner_session_id": "cpo-1234XYZ",
    "emp_partner_session_id": "emp-2345ABC",
    "partner_product_id": "AC1",
    "duration": 15,
}
LIMITS: dict[str, Any] = {
    "cpo_partner_session_id": "c" * 250,
    "emp_partner_session_id": "e" * 250,
    "partner_product_id": "p" * 50,
    "duration": 99,
}


def _optional_fields(cls: RequestType) -> list[str]:
    return [
        f.name for f in dataclasses.fields(cls) if f.default is None and f.name not in BASE[cls]
    ]


def request_variants() -> Iterator[Any]:
    for cls in BASE:
        optional = _optional_fields(cls)
        yield pytest.param(cls(**BASE[cls]), id=f"{cls.__name__}-minimal")
        for name in optional:
            yield pytest.param(
                cls(**BASE[cls], **{name: SAMPLES[name]}), id=f"{cls.__name__}-{name}"
            )
        full = {name: SAMPLES[name] for name in optional}
        yield pytest.param(cls(**BASE[cls], **full), id=f"{cls.__name__}-all")
        at_limit = {name: LIMITS.get(name, SAMPLES[name]) for name in optional}
        yield pytest.param(cls(**BASE[cls], **at_limit), id=f"{cls.__name__}-limits")


def _refusal_of(remote_start: AuthorizeRemoteStart) -> Acknowledgement:
    return Acknowledgement.reply_to(remote_start, "602", additional_info="connector 1 occupied")


_VALIDATION_ERROR = OICPValidationError(
    [Problem(f"/Member{i}", "required", "x" * 200) for i in range(10)]
)

ACKNOWLEDGEMENTS = {
    "minimal": Acknowledgement(True, StatusCode("000")),
    "description": Acknowledgement(True, StatusCode("000", "Success.")),
    "additional-info": Acknowledgement(False, StatusCode("603", None, "not in EVSE data")),
    "session-id": Acknowledgement(True, StatusCode.for_code("000"), SESSION),
    "cpo-partner-session-id": Acknowledgement(True, StatusCode("000"), None, "cpo-1"),
    "emp-partner-session-id": Acknowledgement(True, StatusCode("000"), None, None, "emp-1"),
    "all": Acknowledgement(False, StatusCode.for_code("601", "until 10:15"), SESSION, "c", "e"),
    "limits": Acknowledgement(True, StatusCode("000", "d" * 200, "i" * 1000), SESSION, "c" * 250),
    "reply-to": _refusal_of(AuthorizeRemoteStart(**BASE[AuthorizeRemoteStart])),
    "validation-error": Acknowledgement.from_error(_VALIDATION_ERROR, session_id=SESSION),
}

IDENTIFICATIONS: dict[str, Identification] = {
    "remote": RemoteIdentification(EVCO),
    "mifare": RFIDMifareFamilyIdentification("7568290FFF765F"),
    "plug-and-charge": PlugAndChargeIdentification("DE*8EO*Aet5e4*3"),
    "qr-pin": QRCodeIdentification(EVCO, pin="1234"),
    "qr-hashed": QRCodeIdentification(
        EVCO, hashed_pin=HashedPIN("a5ghdhf73h", legacy_hash_data=LegacyHashData("SHA-1", "s", "v"))
    ),
    "rfid-minimal": RFIDIdentification("1234ABCD", "mifareCls"),
    "rfid-all": RFIDIdentification("1234ABCD", "nfc", EVCO, "9876655", "2021-01-23T14:21:36+01:00"),
}


# ---------------------------------------------------------------------------------------
# Requests and acknowledgements against the official schemas


@pytest.mark.parametrize("request_", list(request_variants()))
def test_request_is_valid_against_the_official_schema(
    openapi: dict[str, Any], request_: RemoteRequest
) -> None:
    schema = request_schema(openapi, request_.operation)
    assert schema_errors(schema, request_.to_wire()) == []


@pytest.mark.parametrize("request_", list(request_variants()))
def test_request_with_explicit_nulls_is_valid_where_optionals_may_be_null(
    openapi: dict[str, Any], request_: RemoteRequest
) -> None:
    schema = with_nullable_optionals(request_schema(openapi, request_.operation))
    assert schema_errors(schema, request_.to_wire(explicit_nulls=True)) == []


@pytest.mark.parametrize("explicit_nulls", [False, True])
@pytest.mark.parametrize("ack", ACKNOWLEDGEMENTS.values(), ids=ACKNOWLEDGEMENTS.keys())
def test_acknowledgement_is_valid_against_the_official_schema(
    openapi: dict[str, Any], ack: Acknowledgement, explicit_nulls: bool
) -> None:
    schema = acknowledgement_schema(openapi)
    if explicit_nulls:
        schema = with_nullable_optionals(schema)
    assert schema_errors(schema, ack.to_wire(explicit_nulls=explicit_nulls)) == []


@pytest.mark.parametrize("explicit_nulls", [False, True])
@pytest.mark.parametrize("ident", IDENTIFICATIONS.values(), ids=IDENTIFICATIONS.keys())
def test_every_identification_option_is_valid_against_the_official_schema(
    openapi: dict[str, Any], ident: Identification, explicit_nulls: bool
) -> None:
    schema = to_json_schema(openapi["components"]["schemas"]["Identification"])
    if explicit_nulls:
        schema = with_nullable_optionals(schema)
    wire = identification_to_wire(ident, explicit_nulls=explicit_nulls)
    assert schema_errors(schema, wire) == []


def test_published_schema_rejects_the_explicit_null_shape_of_real_traffic(
    openapi: dict[str, Any],
) -> None:
    schema = request_schema(openapi, Operation.AUTHORIZE_REMOTE_START)
    request = AuthorizeRemoteStart(**BASE[AuthorizeRemoteStart])
    validator = jsonschema.Draft4Validator(schema)
    errors = list(validator.iter_errors(request.to_wire(explicit_nulls=True)))
    assert errors, "the official schema now allows nulls: validate explicit_nulls=True directly"
    assert all(error.instance is None for error in errors)


def test_schema_check_catches_an_overlong_partner_session_id(openapi: dict[str, Any]) -> None:
    # Guards the maximum -> maxLength conversion: without it this would pass silently.
    schema = request_schema(openapi, Operation.AUTHORIZE_REMOTE_STOP)
    request = AuthorizeRemoteStop("DE-DCB", "DE*XYZ*ETEST1", SESSION, "c" * 251)
    assert len(schema_errors(schema, request.to_wire())) == 1


# ---------------------------------------------------------------------------------------
# Where the official schema and our model knowingly differ


def test_official_remote_start_requires_session_id_which_we_tolerate_missing(
    openapi: dict[str, Any],
) -> None:
    # OA and the CPO field table say SessionID is mandatory; the EMP table and the swagger
    # say optional, and Hubject's portal test tool sends null (OICP 2.3 digest §2.1, §10.3).
    schema = request_schema(openapi, Operation.AUTHORIZE_REMOTE_START)
    assert "SessionID" in schema["required"]
    body = AuthorizeRemoteStart("DE-DCB", "DE*XYZ*ETEST1", RemoteIdentification(EVCO)).to_wire()
    assert AuthorizeRemoteStart.from_wire(body).session_id is None


@pytest.mark.parametrize(
    "operation",
    [Operation.AUTHORIZE_REMOTE_RESERVATION_START, Operation.AUTHORIZE_REMOTE_RESERVATION_STOP],
)
def test_official_reservation_schemas_misspell_emp_partner_session_id(
    openapi: dict[str, Any], operation: Operation
) -> None:
    # The reservation schemas declare "EMPPartnerSessionId" (small d) while their own
    # examples and every other message use "EMPPartnerSessionID" (OICP 2.3 digest §2.3).
    # We send the spec's "EMPPartnerSessionID". It passes the official schema only because
    # that schema allows additional properties, so for reservations the schema check does
    # not constrain our EMPPartnerSessionID at all; our own from_wire checks it (250 max).
    # If Hubject fixes the key this test fails, and this note can go.
    schema = request_schema(openapi, operation)
    assert "EMPPartnerSessionId" in schema["properties"]
    assert "EMPPartnerSessionID" not in schema["properties"]
    assert schema.get("additionalProperties", True) is not False


@pytest.mark.parametrize("operation", list(Operation))
def test_hubject_style_paths_are_the_official_paths(
    openapi: dict[str, Any], operation: Operation
) -> None:
    path, _ = _post_of(openapi, operation)
    # The OpenAPI's server URL ends in /api/oicp and its paths are relative to it.
    expected = "/api/oicp" + path.replace("{providerID}", "DE*ICE")
    assert hub_to_cpo_path(operation, "DE*ICE", "hubject") == expected


def test_official_status_code_table_equals_ours(openapi: dict[str, Any]) -> None:
    # The OpenAPI has no enum for StatusCode.Code; its codes are a Markdown table in the
    # description ("| 000 | Success. | General codes |"), so we read that table.
    code_schema = acknowledgement_schema(openapi)["properties"]["StatusCode"]["properties"]["Code"]
    rows = re.findall(r"^\s*\|\s*(\d{3})\s*\|\s*([^|]*?)\s*\|", code_schema["description"], re.M)
    assert dict(rows) == dict(STATUS_CODES)
    assert [code for code, _ in rows] == list(STATUS_CODES)


@pytest.mark.parametrize(
    "operation", [Operation.AUTHORIZE_REMOTE_STOP, Operation.AUTHORIZE_REMOTE_RESERVATION_STOP]
)
def test_official_stop_examples_parse(openapi: dict[str, Any], operation: Operation) -> None:
    _, post = _post_of(openapi, operation)
    example = post["requestBody"]["content"]["application/json"]["schema"]["example"]
    request = REQUEST_TYPES[operation].from_wire(example)
    assert request.evse_id == "DE*XYZ*ETEST1"
    assert request.emp_partner_session_id == "2345ABC"


def test_official_acknowledgement_example_parses(openapi: dict[str, Any]) -> None:
    _, post = _post_of(openapi, Operation.AUTHORIZE_REMOTE_START)
    example = post["responses"]["200"]["content"]["application/json"]["schema"]["example"]
    ack = Acknowledgement.from_wire(example)
    assert (ack.result, ack.status_code.code) == (True, "000")
