"""The fuzzer's reports: the terminal text, JSON (``FuzzReport.to_json``) and JUnit XML.

JUnit has one testcase per target (operation and path style), failed when the target had
anything UNEXPECTED, with one failure message listing each class and its curl reproducer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO
from xml.etree import ElementTree as ET

from hubsim.fuzz.engine import FuzzReport


def junit_xml(report: FuzzReport) -> str:
    """The report as a JUnit XML document."""
    suite = ET.Element(
        "testsuite",
        name="hubsim fuzz",
        tests=str(len(report.runs)),
        failures=str(sum(1 for run in report.runs if run.findings)),
        errors="0",
        time=f"{report.elapsed_s:.3f}",
    )
    for run in report.runs:
        case = ET.SubElement(
            suite, "testcase", classname="hubsim.fuzz", name=run.target.name, time="0"
        )
        if run.findings:
            failure = ET.SubElement(
                case,
                "failure",
                message=", ".join(f.unexpected.value for f in run.findings),
                type="UNEXPECTED",
            )
            failure.text = "\n\n".join(
                f"{f.unexpected.value}: {f.reason}\nminimal body: "
                f"{json.dumps(f.body, ensure_ascii=False)}\nreproduce: {f.curl}"
                for f in run.findings
            )
        out = ET.SubElement(case, "system-out")
        out.text = f"{run.examples} examples, {run.handled} handled"
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def write_junit(report: FuzzReport, path: Path) -> None:
    path.write_text(junit_xml(report), encoding="utf-8")


def print_report(report: FuzzReport, out: TextIO) -> None:
    """One line per target, then each UNEXPECTED class with its minimal body and curl."""
    print(f"hubsim fuzz: {report.config.service_url} (seed {report.config.seed})", file=out)
    for run in report.runs:
        classes = ", ".join(
            f"{k.value} x{v}" for k, v in sorted(run.counts.items(), key=lambda i: i[0].value)
        )
        state = f"UNEXPECTED: {classes}" if classes else "all HANDLED"
        print(
            f"  {run.target.name}: {run.examples} examples ({run.valid} valid), {state}",
            file=out,
        )
    for finding in report.findings:
        print(f"\nUNEXPECTED {finding.unexpected.value} on {finding.target.name}", file=out)
        print(f"  {finding.reason}", file=out)
        print(f"  minimal body: {json.dumps(finding.body, ensure_ascii=False)}", file=out)
        print(f"  reproduce: {finding.curl}", file=out)
    found = len(report.findings)
    verdict = "OK: nothing UNEXPECTED" if not found else f"FAILED: {found} UNEXPECTED class(es)"
    print(f"\n{verdict} ({report.elapsed_s:.1f} s)", file=out)
