"""Checks that do linear work, shown at the sizes that froze the hub (issue 14), on a process.

20,000 blanks around a Service URL took 5.1 s and 8,000 ``-----BEGIN`` lines 5.3 s, while
every other request waited. The refusals are asserted here, never the time: the times at the
body limit are ``bench/bench_worst_cases.py``'s figures, quoted in the README.
"""

from __future__ import annotations

import json

from tests.fuzz.attacks import Attack
from tests.fuzz.targets import OPERATOR, Target

SETTINGS = f"/api/operators/{OPERATOR.replace('*', '%2A')}/settings/authorization"
CERTIFICATES = f"/api/operators/{OPERATOR.replace('*', '%2A')}/certificates?filename=cpo.pem"


def _call(target: Target, method: str, path: str, body: bytes) -> tuple[int, dict[str, object]]:
    headers = (("Content-Type", "application/json"),)
    answer = target.client.send(Attack("test", "none", method, path, body, headers))
    return answer.status, json.loads(answer.body)


def _health(target: Target) -> int:
    return target.client.send(Attack("test", "none", "GET", "/api/health")).status


def test_a_service_url_in_20000_blanks_is_refused_naming_ten_positions_and_the_count(
    admin_target: Target,
) -> None:
    url = " " * 10_000 + "https://cpo.example.com/oicp" + " " * 10_000
    body = json.dumps({"online_request": True, "service_url": url}).encode()

    status, refusal = _call(admin_target, "PUT", SETTINGS, body)

    assert status == 422
    messages = " ".join(str(i["message"]) for i in refusal["issues"])  # type: ignore[attr-defined]
    assert "starts with blanks at positions 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 9990 more" in messages
    assert "ends with blanks at positions 10029, " in messages
    assert _health(admin_target) == 200


def test_8000_begin_lines_are_refused_naming_the_first_unpaired_line(
    admin_target: Target,
) -> None:
    pem = b"-----BEGIN CERTIFICATE-----\n" * 8_000

    status, refusal = _call(admin_target, "POST", CERTIFICATES, pem)

    assert status == 400
    assert "on its line 1, -----BEGIN CERTIFICATE----- has no matching -----END" in str(
        refusal["error"]
    )
    assert _health(admin_target) == 200


def test_an_end_line_without_begin_is_refused_naming_its_line(admin_target: Target) -> None:
    pem = b"\n\n-----END CERTIFICATE-----\n" + b"-----BEGIN CERTIFICATE-----\n"

    status, refusal = _call(admin_target, "POST", CERTIFICATES, pem)

    assert status == 400
    assert "on its line 3, -----END CERTIFICATE----- follows no -----BEGIN" in str(refusal["error"])
