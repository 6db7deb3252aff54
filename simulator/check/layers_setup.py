"""Layers 1 and 2: the settings under the portal's rules, and the Service URL's shape.

Both quote :mod:`simulator.settings_rules` unchanged: layer 1 reports every finding about
the other fields and whether the hub would send at all; layer 2 reports the findings about
the Service URL (https, no blanks, no query), so that each problem is told once.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.check.plan import CheckPlan
from simulator.check.report import LayerResult, failed, passed, skipped, warned
from simulator.model import FieldIssue

_URL = "service_url"
_REFUSAL_FIXES = {
    "online_request": "Tick Online Request for this service type, enter the Service URL of "
    "your endpoint and save.",
    "server_certification": "Upload the certificate your endpoint presents (or the CA that "
    "issued it) in Certificate Management, or switch Server certification to Hubject "
    "certificate.",
    "server_cert": "Give --server-cert user:FILE with the certificate your endpoint presents "
    "(or its issuing CA), valid today, or --server-cert hubject.",
}


def layer_settings(plan: CheckPlan) -> LayerResult:
    """Layer 1: valid under the portal's rules, and usable for sending."""
    check = plan.settings_check
    errors = [i for i in check.errors if i.field != _URL]
    warnings = [i for i in check.warnings if i.field != _URL and not _is_refusal(i, plan)]
    details = {
        "settings": plan.settings.to_json() if plan.settings else None,
        "errors": [i.to_json() for i in errors],
        "warnings": [i.to_json() for i in warnings],
    }
    if plan.refusal is not None:
        fix = _REFUSAL_FIXES.get(plan.refusal.field, "Correct the settings and save them.")
        return failed("settings", _sentence(plan.refusal.message), fix, **details)
    if errors:
        fix = "Change the fields named and save again; the portal refuses these settings."
        return failed("settings", _joined(errors), fix, **details)
    if warnings:
        return warned("settings", _joined(warnings), "Change the fields named.", **details)
    return passed("settings", _settings_summary(plan), **details)


# The refusal's field, and the portal field whose warning says the same (one-shot mode names
# the option --server-cert where the portal's rules name Server certification).
_SAME_AS = {"server_cert": "server_certification"}


def _is_refusal(issue: FieldIssue, plan: CheckPlan) -> bool:
    # The missing-certificate warning of the portal is the refusal reported above.
    if plan.refusal is None:
        return False
    return issue.field in (plan.refusal.field, _SAME_AS.get(plan.refusal.field))


def _settings_summary(plan: CheckPlan) -> str:
    mode = plan.target.trust.mode.value
    where = f"{plan.operator_id}'s " if plan.operator_id else "The one-shot "
    return (
        f"{where}{plan.service_type.value} settings are valid under the portal's rules: "
        f"Online Request on, Server certification '{mode}'."
    )


def layer_url(plan: CheckPlan, settings: LayerResult) -> LayerResult:
    """Layer 2: an absolute https URL without blanks, query or fragment."""
    check = plan.settings_check
    errors = [i for i in check.errors if i.field == _URL]
    warnings = [i for i in check.warnings if i.field == _URL]
    url = plan.target.service_url
    details = {"service_url": url, "url": plan.first_url() if not errors else None}
    if errors:
        fix = (
            "Correct --url as the message says."
            if plan.mode == "one-shot"
            else "Correct the Service URL as the message says and save it again."
        )
        return failed("url", _joined(errors), fix, **details)
    if not url:
        return skipped(
            "url",
            f"Not judged: layer {settings.number} ({settings.name}) failed. There is no "
            "Service URL to check.",
            f"Fix layer {settings.number} ({settings.name}) first.",
            blocked_by=settings.key,
        )
    if warnings:
        return warned(
            "url", _joined(warnings), "Correct the Service URL if the hint applies.", **details
        )
    return passed(
        "url",
        f"Service URL {url!r} is an https URL without blanks; the hub posts to {details['url']}.",
        **details,
    )


def _joined(issues: Sequence[FieldIssue]) -> str:
    return _sentence("; ".join(issue.message for issue in issues))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") else text + "."
