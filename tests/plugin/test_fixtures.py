"""The plugin's fixtures: loaded through the entry point, in either asyncio mode."""

from __future__ import annotations

from importlib.metadata import entry_points

import aiohttp

from hubsim.pytest_plugin import Hubsim
from tests.plugin.conftest import InnerRun


def test_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("hubsim") == "hubsim.pytest_plugin"


def test_fixtures_need_no_conftest_in_auto_mode(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        async def test_start(hubsim):
            exchange = await hubsim.send("remote-start", "DE*ABC*E0001")
            assert exchange.status_code == "000"
        """
    )
    result.assert_outcomes(passed=1)


def test_fixtures_work_in_strict_asyncio_mode(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        import pytest

        @pytest.mark.asyncio
        async def test_start(hubsim):
            exchange = await hubsim.send("remote-start", "DE*ABC*E0001")
            assert exchange.status_code == "000"
        """,
        mode="strict",
    )
    result.assert_outcomes(passed=1)


START = """
    async def test_start(hubsim):
        exchange = await hubsim.send("remote-start", "DE*ABC*E0001")
        assert exchange.status_code == "000"
"""


def test_an_unmarked_async_test_using_hubsim_runs_in_strict_mode(run_inner: InnerRun) -> None:
    run_inner(START, mode="strict").assert_outcomes(passed=1)


def test_an_unmarked_async_test_using_hubsim_runs_with_no_asyncio_configuration(
    run_inner: InnerRun,
) -> None:
    # pytest-asyncio warns such a project that its fixture loop scope is unset; the warning
    # belongs to the inner session, not to this one.
    ignore = "-Wignore:The configuration option:pytest.PytestDeprecationWarning"
    run_inner(START, ignore, mode=None).assert_outcomes(passed=1)


def test_an_unmarked_async_test_without_hubsim_is_left_to_pytest_asyncio(
    run_inner: InnerRun,
) -> None:
    # Only tests that use the plugin's fixtures are marked; others keep the project's rules.
    result = run_inner("async def test_other():\n    pass\n", mode="strict")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])


def test_relaxed_marker_is_registered_for_strict_markers(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        import pytest

        @pytest.mark.hubsim_relaxed
        async def test_nothing(hubsim):
            pass
        """,
        "--strict-markers",
    )
    result.assert_outcomes(passed=1)


def test_each_test_starts_with_a_cleared_stub_and_hub(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        async def test_first(hubsim):
            hubsim.stub.expect(evse_id="DE*ABC*E0001").respond_with_code("602")
            await hubsim.send("remote-start", "DE*ABC*E0001")

        async def test_second(hubsim):
            assert hubsim.stub.calls == [] and hubsim.hub.exchanges == []
            exchange = await hubsim.send("remote-start", "DE*ABC*E0001")
            assert exchange.status_code == "000"
        """
    )
    result.assert_outcomes(passed=2)


async def test_hub_operator_points_at_the_stub(hubsim: Hubsim) -> None:
    await hubsim.send("remote-start", "DE*ABC*E0001")
    assert hubsim.hub.last.url.startswith(hubsim.hub.stub_url + "/api/oicp/")
    assert hubsim.stub.last.evse_id == "DE*ABC*E0001"


async def test_hub_fixture_serves_the_admin_api(hubsim: Hubsim) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{hubsim.hub.url}/api/operators/DE*ABC/settings") as response,
    ):
        settings = await response.json()
    assert response.status == 200
    assert hubsim.hub.stub_url in str(settings)


async def test_configure_applies_the_portal_rules(hubsim: Hubsim) -> None:
    from simulator.hub import SettingsRejected

    try:
        await hubsim.hub.configure("authorization", service_url="http://localhost:1/oicp")
    except SettingsRejected as refused:
        assert refused.issues[0].field == "service_url"
    else:
        raise AssertionError("the portal's rules accepted an http:// Service URL")


async def test_settings_offline_are_refused_by_the_hub(hubsim: Hubsim) -> None:
    await hubsim.hub.configure("authorization", online_request=False)
    exchange = await hubsim.send("remote-start", "DE*ABC*E0001")
    assert exchange.outcome.value == "settings_invalid"
    assert hubsim.stub.calls == []
