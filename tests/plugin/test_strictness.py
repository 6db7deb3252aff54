"""Strict teardown checks, the relaxed marker, and errors raised inside stub handlers."""

from __future__ import annotations

import pytest

from cpo_stub import Reject
from hubsim.pytest_plugin import Hubsim
from oicp import RemoteRequest
from tests.plugin.conftest import InnerRun


def test_unused_oneshot_expectation_fails_at_teardown(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        async def test_forgot_to_send(hubsim):
            hubsim.stub.expect_oneshot(evse_id="DE*ABC*E0001").respond_with_code("602")
        """
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*one-shot expectation (any operation, EvseID DE*ABC*E0001)*"])


def test_unused_permanent_expectation_fails_at_teardown(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        async def test_forgot_to_send(hubsim):
            hubsim.stub.expect(operation="remote-stop").accept()
        """
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*permanent expectation (remote-stop, any EvseID)*"])


def test_relaxed_marker_lifts_teardown_checks(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        import pytest

        @pytest.mark.hubsim_relaxed
        async def test_forgot_to_send(hubsim):
            hubsim.stub.expect_oneshot(evse_id="DE*ABC*E0001").respond_with_code("602")
        """
    )
    result.assert_outcomes(passed=1)


def test_out_of_order_requests_fail_at_teardown(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        async def test_wrong_order(hubsim):
            hubsim.stub.expect_ordered("DE*ABC*E0001").respond_with_code("501")
            hubsim.stub.expect_ordered("DE*ABC*E0002").respond_with_code("700")
            await hubsim.send("remote-start", "DE*ABC*E0002")
            await hubsim.send("remote-start", "DE*ABC*E0001")
        """
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*must be met in the order they were declared*"])


def test_strict_checks_stay_quiet_when_the_test_failed(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        async def test_fails_first(hubsim):
            hubsim.stub.expect_oneshot(evse_id="DE*ABC*E0001")
            assert False, "the test's own failure"
        """
    )
    result.assert_outcomes(failed=1)


def test_unannounced_handshake_failure_fails_at_teardown(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        async def test_bad_certificate(hubsim):
            exchange = await hubsim.send(
                "remote-start", "DE*ABC*E0001", client_certificate="foreign-ca"
            )
            assert exchange.outcome.value == "client_cert_refused"
        """
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*unexpected TLS handshake failure*"])


def test_announced_handshake_failure_must_happen(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        async def test_announced_but_never_sent(hubsim):
            hubsim.stub.expect_handshake_failure()
        """
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*1 TLS handshake failure(s) were announced, 0 happened*"])


def test_request_the_stub_refuses_as_invalid_fails_at_teardown(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        import ssl
        import aiohttp

        async def test_garbage(hubsim, hubsim_pki):
            files = hubsim_pki.files
            context = ssl.create_default_context(cafile=str(files.hubject_ca))
            context.load_cert_chain(str(files.hub_client_cert), str(files.hub_client_key))
            path = "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"
            url = hubsim.hub.stub_url + path
            async with aiohttp.ClientSession() as session:
                async with session.post(url, data=b"not json", ssl=context) as response:
                    assert response.status == 200
        """
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the stub refused POST*as invalid request*"])


def test_handler_error_is_raised_again_at_teardown(run_inner: InnerRun) -> None:
    result = run_inner(
        """
        import pytest

        def broken(request):
            raise ZeroDivisionError("responder bug")

        @pytest.mark.hubsim_relaxed
        async def test_broken_responder(hubsim):
            hubsim.stub.expect("DE*ABC*E0001").respond_with(broken)
            exchange = await hubsim.send("remote-start", "DE*ABC*E0001")
            assert exchange.http_status == 500
        """
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*ZeroDivisionError: responder bug*"])


async def test_check_raises_the_handler_error_in_the_test(hubsim: Hubsim) -> None:
    def broken(request: RemoteRequest) -> Reject:
        raise ValueError(f"cannot answer {request.evse_id}")

    hubsim.stub.expect("DE*ABC*E0001").respond_with(broken)
    await hubsim.send("remote-start", "DE*ABC*E0001")
    with pytest.raises(ValueError, match="cannot answer DE"):
        hubsim.check()


async def test_assert_called_lists_attempts_that_never_reached_the_stub(hubsim: Hubsim) -> None:
    hubsim.stub.expect_handshake_failure()
    await hubsim.send("remote-start", "DE*ABC*E0001", client_certificate="expired")
    with pytest.raises(AssertionError) as failure:
        hubsim.assert_called("remote-start")
    message = str(failure.value)
    assert "no request arrived" in message
    assert "client_cert_refused" in message


async def test_assert_called_returns_the_matching_requests(hubsim: Hubsim) -> None:
    start = await hubsim.send("remote-start", "DE*ABC*E0001")
    records = hubsim.assert_called("eRoamingAuthorizeRemoteStart", session_id=start.session_id)
    assert [r.evse_id for r in records] == ["DE*ABC*E0001"]
