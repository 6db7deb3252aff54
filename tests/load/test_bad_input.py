"""Bad input to ``hubsim load`` gets one clear line naming the option and the value."""

from __future__ import annotations

from mockpki import PKIFiles
from tests.cli.conftest import hubsim

TARGET = ("--url", "https://localhost:9", "--server-cert", "hubject")


async def refused(pki: PKIFiles, *args: str) -> str:
    run = await hubsim("load", *TARGET, "--pki", str(pki.directory), *args)
    assert run.code == 2, run.out + run.err
    assert "Traceback" not in run.err and run.out == ""
    return run.err


async def test_a_rate_of_0_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--rate", "0", "--requests", "5")
    assert "--rate" in err and "'0'" in err and "more than 0" in err


async def test_a_negative_duration_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--duration=-5s")
    assert "--duration" in err and "-5s" in err and "more than 0" in err


async def test_a_mix_weight_that_is_not_a_number_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--mix", "remote-start-stop=lots", "--requests", "5")
    assert "remote-start-stop" in err and "'lots'" in err and "not a number" in err


async def test_an_unknown_mix_operation_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--mix", "remote-dance=1", "--requests", "5")
    assert "'remote-dance'" in err and "remote-start-stop" in err


async def test_0_workers_are_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--workers", "0", "--requests", "5")
    assert "--workers 0" in err and "at least 1" in err


async def test_more_workers_than_users_are_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--workers", "4", "-c", "2", "--requests", "5")
    assert "--workers 4" in err and "-c 2" in err


async def test_a_run_without_an_end_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "-c", "2")
    assert "--duration" in err and "--requests" in err


async def test_a_bad_evse_pattern_is_refused_by_the_request_builder(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--evse", "not-an-evse[1-3]", "--requests", "5")
    assert "evse_id" in err and "not-an-evse1" in err


async def test_fresh_connections_through_a_hub_are_refused(pki_files: PKIFiles) -> None:
    run = await hubsim("load", "--operator", "DE*ABC", "--requests", "5", "--fresh-connections")
    assert run.code == 2
    assert "--fresh-connections" in run.err and "--url" in run.err
