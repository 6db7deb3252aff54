"""The check report as JUnit XML (the Ant/Jenkins format most CI systems read), with lxml.

One ``<testsuite>`` per check, one ``<testcase>`` per layer: a FAIL carries ``<failure>``,
a SKIP ``<skipped>``, and every layer's reason (and fix) is in ``<system-out>``, so that a
WARN shows in CI too. ``errors`` is always 0: the check's own errors end the command.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

from lxml import etree

from simulator.check.report import CheckReport, LayerResult, LayerStatus

# Characters XML 1.0 cannot carry; an endpoint's answer may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def junit_xml(report: CheckReport) -> bytes:
    """The report as a JUnit XML document (UTF-8, with an XML declaration)."""
    counts = report.counts()
    seconds = f"{report.elapsed_ms / 1000:.3f}"
    root = etree.Element(
        "testsuites",
        name="hubsim check",
        tests=str(len(report.layers)),
        failures=str(counts["fail"]),
        errors="0",
        skipped=str(counts["skip"]),
        time=seconds,
    )
    suite = etree.SubElement(
        root,
        "testsuite",
        name=_suite_name(report),
        tests=str(len(report.layers)),
        failures=str(counts["fail"]),
        errors="0",
        skipped=str(counts["skip"]),
        time=seconds,
        timestamp=report.started_at.strftime("%Y-%m-%dT%H:%M:%S"),
        hostname=socket.gethostname(),
    )
    _properties(suite, report)
    for layer in report.layers:
        _testcase(suite, report, layer)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_junit(report: CheckReport, path: Path) -> None:
    """Write :func:`junit_xml` to ``path``."""
    path.write_bytes(junit_xml(report))


def _suite_name(report: CheckReport) -> str:
    target = report.target
    where = target.url or target.service_url or "(no Service URL)"
    return _xml(f"hubsim check {target.service_type} {where}")


def _properties(suite: etree._Element, report: CheckReport) -> None:
    props = etree.SubElement(suite, "properties")
    values = {"mode": report.mode, **report.target.to_json()}
    for name, value in values.items():
        shown = "" if value is None else _xml(str(value))
        etree.SubElement(props, "property", name=name, value=shown)


def _testcase(suite: etree._Element, report: CheckReport, layer: LayerResult) -> None:
    case = etree.SubElement(
        suite,
        "testcase",
        classname=f"hubsim.check.{report.target.service_type.lower()}",
        name=f"{layer.number:02d} {layer.name}",
        time="0",
    )
    if layer.status is LayerStatus.FAIL:
        failure = etree.SubElement(case, "failure", message=_xml(layer.reason), type="FAIL")
        failure.text = _full_text(layer)
    elif layer.status is LayerStatus.SKIP:
        etree.SubElement(case, "skipped", message=_xml(layer.reason))
    out = etree.SubElement(case, "system-out")
    out.text = _full_text(layer)


def _full_text(layer: LayerResult) -> str:
    lines = [f"{layer.status.value}: {layer.reason}"]
    if layer.fix:
        lines.append(f"Fix: {layer.fix}")
    if layer.details:
        lines.append("Details: " + json.dumps(dict(layer.details), ensure_ascii=False, indent=2))
    return _xml("\n".join(lines))
