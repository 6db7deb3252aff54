"""Benchmark: every check a peer's input reaches, at its worst case at a body limit.

Each case is the input that makes one check work hardest within a body limit: a megabyte
of blanks around a Service URL, of ``-----BEGIN`` lines, of nesting, of EVSE records each
full of problems… The check is the one the servers run (settings rules, the upload
parser, ``jsontext.loads``, the OICP validators and the FaultBody they answer with), called
in this process so that only its own time is measured. Two bounds matter: 1 MiB, the body
limit of the stub and the admin API (the default ``--limit``), and 256 KiB
(``--limit 262144``), the largest body the hub's OICP port decodes in its event loop
(``simulator/inbound/bodies.py``; larger ones go to a worker process). Target: under
50 ms each. Run: ``python bench/bench_worst_cases.py [--repeat N] [--limit BYTES]``; it
prints the median and the slowest of N runs per case (the machine is shared: the median is
the figure).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from oicp import jsontext
from oicp.errors import OICPValidationError
from oicp.evse_data import PushEvseData, minimal_evse_record
from oicp.faults import validation_fault
from oicp.messages import parse_request
from oicp.operations import Operation
from oicp.pricing import PushPricingProductData
from simulator.certificates import CertificateUploadError, parse_certificate_upload
from simulator.model import ServiceType
from simulator.settings_rules import check_settings, parse_settings

LIMIT = 1024 * 1024  # the stub's and the admin API's body limit; --limit changes it
TARGET_MS = 50.0
Case = Callable[[], object]


def _settings(url: str) -> Case:
    def run() -> object:
        settings, issues = parse_settings({"online_request": True, "service_url": url})
        if settings is None:
            return issues
        return check_settings(
            ServiceType.AUTHORIZATION, settings, certificates=(), now=datetime.now(UTC)
        )

    return run


def _upload(data: bytes) -> Case:
    def run() -> object:
        try:
            return parse_certificate_upload(data, "cpo.pem")
        except CertificateUploadError as exc:
            return str(exc)

    return run


def _json(text: str) -> Case:
    def run() -> object:
        try:
            return jsontext.loads(text)
        except ValueError as exc:
            return str(exc)

    return run


def _oicp(parse: Callable[[object], object], text: str) -> Case:
    """Validate a body as the hub does and write the FaultBody it answers with.

    The JSON text is parsed before the clock starts: parsing is measured by the JSON cases.
    """
    body = jsontext.loads(text)

    def run() -> object:
        try:
            return parse(body)
        except OICPValidationError as exc:
            return jsontext.dumps(validation_fault(exc.problems))

    return run


def _repeat_to_limit(unit: bytes) -> bytes:
    return unit * ((LIMIT - 200) // len(unit))


def _broken_record(index: int) -> dict[str, object]:
    record = copy.deepcopy(minimal_evse_record(f"DE*ABC*E{index}"))
    record.update(Plugs=["Type 9"] * 3, Accessibility="?", HotlinePhoneNumber="call us")
    record["Address"] = {"Country": "DE"}
    record["GeoCoordinates"] = {"Google": {"Coordinates": "1.0" + " " * 40 + "x"}}
    return record


def _evse_push(records: list[dict[str, object]]) -> str:
    body = {
        "ActionType": "fullLoad",
        "OperatorEvseData": {"OperatorID": "DE*ABC", "OperatorName": "ABC", "EvseDataRecord": []},
    }
    data: dict[str, list[dict[str, object]]] = body["OperatorEvseData"]  # type: ignore[assignment]
    size, text = 200, ""
    for record in records:
        size += len(json.dumps(record)) + 2
        if size > LIMIT:
            break
        data["EvseDataRecord"].append(record)
    text = json.dumps(body)
    return text


def _pricing_push() -> str:
    # Each time takes about 144 bytes in each of the three records: 2,400 times at 1 MiB.
    times = [{"Periods": [{"begin": "9", "end": "x"}] * 4, "on": "Someday"}] * (LIMIT // 436)
    records = [
        {
            "ProductID": f"P{i}",
            "ReferenceUnit": "YEAR",
            "ProductPriceCurrency": "euro",
            "PricePerReferenceUnit": "1",
            "MaximumProductChargingPower": None,
            "IsValid24hours": "no",
            "ProductAvailabilityTimes": times,
        }
        for i in range(3)
    ]
    return json.dumps(
        {
            "ActionType": "fullLoad",
            "PricingProductData": {
                "OperatorID": "DE*ABC",
                "ProviderID": "*",
                "PricingDefaultPrice": 0,
                "PricingDefaultPriceCurrency": "EUR",
                "PricingDefaultReferenceUnit": "HOUR",
                "PricingProductDataRecords": records,
            },
        }
    )


def _remote_start(evse_id: str) -> str:
    return json.dumps(
        {
            "ProviderID": "DE-ICE",
            "EvseID": evse_id,
            "SessionID": "b2688855-7f00-0002-6d8e-48d883f6abb6",
            "Identification": {"RemoteIdentification": {"EvcoID": "DE-ICE-C12345678-X"}},
        }
    )


def cases() -> dict[str, Case]:
    half = " " * (LIMIT // 2 - 20)
    url = "https://cpo.example.com/oicp"
    return {
        "Service URL: blanks around it": _settings(half + url + half),
        "Service URL: blanks inside it": _settings("https://cpo" + " x" * (LIMIT // 4) + ".com"),
        "Service URL: only blanks": _settings(" " * (LIMIT - 100)),
        "PEM: -----BEGIN lines": _upload(_repeat_to_limit(b"-----BEGIN CERTIFICATE-----\n")),
        "PEM: BEGIN and END of other labels": _upload(
            _repeat_to_limit(b"-----BEGIN CERTIFICATE-----\n-----END X509 CRL-----\n")
        ),
        "PEM: -----BEGIN without a label": _upload(_repeat_to_limit(b"-----BEGIN\n")),
        "JSON: nesting": _json("[" * (LIMIT // 2) + "]" * (LIMIT // 2)),
        "JSON: brackets, shallow": _json("[" + "[[]]," * (LIMIT // 5) + "[]]"),
        "JSON: lone surrogates": _json(json.dumps(["\ud800"] * (LIMIT // 10))),
        "JSON: parse valid EVSE records": _json(
            _evse_push([minimal_evse_record(f"DE*ABC*E{i}") for i in range(5000)])
        ),
        "PushEvseData: every record broken": _oicp(
            PushEvseData.from_wire, _evse_push([_broken_record(i) for i in range(5000)])
        ),
        "PushEvseData: valid records": _oicp(
            PushEvseData.from_wire,
            _evse_push([minimal_evse_record(f"DE*ABC*E{i}") for i in range(5000)]),
        ),
        "PushEvseData: blanks in Coordinates": _oicp(
            PushEvseData.from_wire,
            _evse_push(
                [
                    {
                        **minimal_evse_record("DE*ABC*E1"),
                        "GeoCoordinates": {"Google": {"Coordinates": "1.0" + half + "x"}},
                    }
                ]
            ),
        ),
        "PushPricingProductData: every period broken": _oicp(
            PushPricingProductData.from_wire, _pricing_push()
        ),
        "remote start (stub): an EvseID of the limit": _oicp(
            lambda body: parse_request(Operation.AUTHORIZE_REMOTE_START, body),
            _remote_start("DE*ABC*E" + "1" * (LIMIT - 300)),
        ),
    }


def measure(case: Case, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        case()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--limit", type=int, default=LIMIT, help="the body limit in bytes")
    args = parser.parse_args()
    globals()["LIMIT"] = args.limit  # the cases are built for this limit
    print(f"worst cases at a body limit of {args.limit} bytes")
    print(f"{'case':45} {'median ms':>10} {'max ms':>8}  target < {TARGET_MS:g} ms")
    over = 0
    for name, case in cases().items():
        times = measure(case, args.repeat)
        median = statistics.median(times)
        over += median >= TARGET_MS
        flag = "" if median < TARGET_MS else "  OVER"
        print(f"{name:45} {median:10.1f} {max(times):8.1f}{flag}")
    print(f"{over} case(s) over the target")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
