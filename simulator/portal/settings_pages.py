"""The Service Type Settings page: edit, save, compare with before, history, and test.

Saving goes through :meth:`simulator.hub.Hub.save_settings`, so the page refuses exactly what
the admin API refuses, with the same messages (:mod:`simulator.settings_rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from oicp import Operation
from simulator.admin_api import HUB_KEY
from simulator.exchange import Exchange
from simulator.hub import Hub, SettingsRejected
from simulator.model import FieldIssue, Operator, ServiceType, SettingsRevision
from simulator.portal import urls
from simulator.portal.errors import PageError
from simulator.portal.render import CSRF_FIELD, render_page
from simulator.portal.views import (
    DEFAULT_DURATION_MIN,
    FIELD_LABELS,
    ConfigurationTestForm,
    FormValues,
    Issues,
    Pane,
    can_test,
    history_rows,
    offers_broadcast,
)
from simulator.requests import RequestRefused, SendParams
from simulator.settings_rules import check_settings
from simulator.whole_numbers import whole_number

# The request "Test this configuration" sends for each service type the hub calls.
TEST_OPERATIONS = {
    ServiceType.AUTHORIZATION: Operation.AUTHORIZE_REMOTE_START,
    ServiceType.RESERVATION: Operation.AUTHORIZE_REMOTE_RESERVATION_START,
}
TEST_FIELDS = ("evse_id", "provider_id", "duration")


@dataclass(frozen=True)
class ConfigurationTestResult:
    """What "Test this configuration" produced: the form as sent, refusals, the exchange."""

    form: ConfigurationTestForm
    issues: Issues
    exchange: Exchange | None = None


async def show_settings(request: web.Request) -> web.Response:
    """GET: the saved settings of one service type, with the revision before them."""
    operator, service_type = await _operator_and_service_type(request)
    saved = request.query.get("saved", "")
    notice = f"Saved revision {saved} of {service_type.value}." if whole_number(saved) else None
    return await _settings_page(request, operator, service_type, notice=notice)


async def choose_service_type(request: web.Request) -> web.Response:
    """GET from the service type drop-down: go to that service type's page."""
    operator = await _hub(request).operator(request.match_info["operator_id"])
    service_type = _service_type(request.query.get("service_type") or "authorization")
    raise web.HTTPSeeOther(urls.settings_url(operator.operator_id, service_type))


async def save_settings(request: web.Request) -> web.Response:
    """POST: save a new revision, or show the form again with every refusal next to its field."""
    operator, service_type = await _operator_and_service_type(request)
    form = await request.post()
    data = {name: value for name, value in form.items() if name != CSRF_FIELD}
    try:
        saved = await _hub(request).save_settings(operator.operator_id, service_type, data)
    except SettingsRejected as err:
        issues = Issues.of(err.issues, err.warnings, _shown_fields(service_type))
        edit = FormValues.from_form(data)
        return await _settings_page(
            request, operator, service_type, edit=edit, issues=issues, status=422
        )
    target = urls.settings_url(operator.operator_id, service_type)
    raise web.HTTPSeeOther(f"{target}?saved={saved.revision.revision}")


async def test_configuration(request: web.Request) -> web.Response:
    """POST: send a real remote start (or reservation start) with the saved settings."""
    operator, service_type = await _operator_and_service_type(request)
    operation = TEST_OPERATIONS.get(service_type)
    if operation is None:
        raise PageError(
            404,
            "Nothing to test",
            f"The hub never calls the CPO for {service_type.value}: the CPO pulls the data "
            "from the hub. Test Authorization or Reservation instead.",
        )
    form = ConfigurationTestForm.from_form(await request.post())
    outcome = await _run_test(_hub(request), operator, service_type, operation, form)
    status = 400 if outcome.exchange is None else 200
    return await _settings_page(request, operator, service_type, test=outcome, status=status)


async def _run_test(
    hub: Hub,
    operator: Operator,
    service_type: ServiceType,
    operation: Operation,
    form: ConfigurationTestForm,
) -> ConfigurationTestResult:
    duration, problems = _duration(form, service_type)
    if problems:
        return ConfigurationTestResult(form, Issues.of(problems, [], TEST_FIELDS))
    params = SendParams(evse_id=form.evse_id, provider_id=form.provider_id, duration=duration)
    try:
        exchange = await hub.send(operator.operator_id, operation, params)
    except RequestRefused as err:
        return ConfigurationTestResult(form, Issues.of(err.issues, [], TEST_FIELDS))
    await hub.storage.flush()  # the log page shows it at once, and it survives a kill
    return ConfigurationTestResult(form, Issues.of([], [], TEST_FIELDS), exchange)


def _duration(
    form: ConfigurationTestForm, service_type: ServiceType
) -> tuple[int | None, list[FieldIssue]]:
    if service_type is not ServiceType.RESERVATION:
        return None, []
    duration = whole_number(form.duration, 0, 10**6)
    if duration is not None:
        return duration, []  # the range 1-99 is checked by the OICP layer
    message = (
        f"Duration {form.duration!r} is not a whole number of minutes: "
        f"enter 1 to 99, e.g. {DEFAULT_DURATION_MIN}"
    )
    return None, [FieldIssue("duration", form.duration, message)]


# --- the page ---------------------------------------------------------------------------------


async def _settings_page(
    request: web.Request,
    operator: Operator,
    service_type: ServiceType,
    *,
    edit: FormValues | None = None,
    issues: Issues | None = None,
    test: ConfigurationTestResult | None = None,
    notice: str | None = None,
    status: int = 200,
) -> web.Response:
    hub = _hub(request)
    history = await hub.storage.settings_history(operator.operator_id, service_type)
    current = history[0] if history else None
    if edit is None:
        left, before = _saved_view(history)
        if issues is None:
            issues = await _current_issues(hub, operator, service_type, current)
    else:
        left, before = edit, _pane_before_edit(current)
    context: dict[str, Any] = {
        "title": f"{service_type.value} · Service Type Settings · {operator.operator_id}",
        "operator": operator,
        "active_tab": "settings",
        "service_type": service_type,
        "form": left,
        "editing": edit is not None,
        "current": current,
        "before": before,
        "changed": left.differences(before.values),
        "issues": issues or Issues.of([], [], ()),
        "history": history_rows(history),
        "notice": notice,
        "field_labels": FIELD_LABELS,
        "shown_fields": _shown_fields(service_type),
        "offers_broadcast": offers_broadcast(service_type),
        "can_test": can_test(service_type),
        "test": test or _untested(operator),
    }
    return await render_page(request, "settings.html", status=status, **context)


def _saved_view(history: list[SettingsRevision]) -> tuple[FormValues, Pane]:
    """The form shows the newest revision; the pane the one it replaced."""
    if not history:
        return FormValues(), Pane("Nothing saved yet: the portal's defaults", FormValues(), None)
    if len(history) == 1:
        heading = "Before editing: the portal's defaults (revision 1 was the first save)"
        return FormValues.of(history[0].settings), Pane(heading, FormValues(), None)
    older = history[1]
    heading = f"Before editing: revision {older.revision}"
    return FormValues.of(history[0].settings), Pane(heading, FormValues.of(older.settings), older)


def _pane_before_edit(current: SettingsRevision | None) -> Pane:
    """For an edit that was not saved: the newest saved revision is what it started from."""
    if current is None:
        return Pane("Before editing: the portal's defaults (nothing saved yet)", FormValues(), None)
    heading = f"Before editing: revision {current.revision} (saved)"
    return Pane(heading, FormValues.of(current.settings), current)


async def _current_issues(
    hub: Hub, operator: Operator, service_type: ServiceType, current: SettingsRevision | None
) -> Issues:
    """Warnings about the saved settings (e.g. a User certificate that no upload covers)."""
    if current is None:
        return _none()
    certificates = await hub.storage.list_certificates(operator.operator_id)
    verdict = check_settings(
        service_type, current.settings, certificates=certificates, now=datetime.now(UTC)
    )
    return Issues.of(verdict.errors, verdict.warnings, _shown_fields(service_type))


def _shown_fields(service_type: ServiceType) -> tuple[str, ...]:
    return tuple(
        name
        for name in FIELD_LABELS
        if name != "broadcast_request" or offers_broadcast(service_type)
    )


def _untested(operator: Operator) -> ConfigurationTestResult:
    return ConfigurationTestResult(ConfigurationTestForm.defaults(operator.operator_id), _none())


def _none() -> Issues:
    return Issues.of([], [], ())


# --- request helpers --------------------------------------------------------------------------


def _hub(request: web.Request) -> Hub:
    return request.config_dict[HUB_KEY]


async def _operator_and_service_type(request: web.Request) -> tuple[Operator, ServiceType]:
    operator = await _hub(request).operator(request.match_info["operator_id"])
    return operator, _service_type(request.match_info["service_type"])


def _service_type(text: str) -> ServiceType:
    try:
        return ServiceType.from_text(text)
    except ValueError as exc:
        raise PageError(404, "Unknown service type", str(exc)) from None
