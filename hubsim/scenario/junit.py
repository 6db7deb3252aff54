"""JUnit XML for CI: one ``<testsuite>`` per scenario, one ``<testcase>`` per step.

The shape is the one Jenkins, GitLab and GitHub test reporters read: an unmet expectation is
a ``<failure>``, a step that could not be sent (setup refused, no SessionID to refer to) an
``<error>``. The classname is the scenario file's name, the test name the step's id.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from hubsim.scenario.results import RunReport, ScenarioResult, StepResult


def junit_xml(report: RunReport) -> bytes:
    """The report as JUnit XML (UTF-8, with declaration)."""
    root = etree.Element("testsuites", name="hubsim scenarios")
    totals = [0, 0, 0, 0.0]  # tests, failures, errors, time
    for result in report.scenarios:
        suite = _suite(result)
        root.append(suite)
        totals[0] += int(suite.get("tests", "0"))
        totals[1] += int(suite.get("failures", "0"))
        totals[2] += int(suite.get("errors", "0"))
        totals[3] += float(suite.get("time", "0"))
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", str(totals[2]))
    root.set("time", f"{totals[3]:.3f}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_junit(report: RunReport, path: Path) -> None:
    """Write :func:`junit_xml` to ``path`` (its folder must exist)."""
    path.write_bytes(junit_xml(report))


def _suite(result: ScenarioResult) -> etree._Element:
    steps = result.steps
    suite = etree.Element(
        "testsuite",
        name=result.scenario.name,
        file=str(result.scenario.path),
        tests=str(len(steps)),
        failures=str(sum(1 for s in steps if s.failures and s.error is None)),
        errors=str(sum(1 for s in steps if s.error is not None)),
        skipped="0",
        time=f"{sum(s.seconds for s in steps):.3f}",
    )
    properties = etree.SubElement(suite, "properties")
    for name, value in (("spec", result.scenario.spec), ("endpoint", result.endpoint)):
        if value:
            etree.SubElement(properties, "property", name=name, value=value)
    for step in steps:
        suite.append(_case(result, step))
    return suite


def _case(result: ScenarioResult, step: StepResult) -> etree._Element:
    case = etree.Element(
        "testcase",
        classname=result.scenario.suite_name,
        name=step.step.id,
        file=str(result.scenario.path),
        line=str(step.step.line),
        time=f"{step.seconds:.3f}",
    )
    if step.error is not None:
        error = etree.SubElement(case, "error", message=step.error, type="StepNotRun")
        error.text = step.error
    elif step.failures:
        failure = etree.SubElement(
            case, "failure", message=step.failures[0], type="ExpectationNotMet"
        )
        failure.text = "\n".join(step.failures)
    if step.exchange is not None:
        out = etree.SubElement(case, "system-out")
        warned = "".join(f"WARN: {warning}\n" for warning in step.warnings)
        out.text = warned + _exchange_text(step)
    return case


def _exchange_text(step: StepResult) -> str:
    exchange = step.exchange
    assert exchange is not None
    lines = [
        f"{exchange.operation} -> {exchange.url or '(not sent)'}",
        f"outcome {exchange.outcome.value} in {exchange.elapsed_ms:.1f} ms: {exchange.detail}",
    ]
    if exchange.status_code is not None:
        lines.append(f"Result {exchange.result}, StatusCode {exchange.status_code}")
    if exchange.session_id:
        lines.append(f"SessionID {exchange.session_id}")
    return "\n".join(lines + list(step.notes))
