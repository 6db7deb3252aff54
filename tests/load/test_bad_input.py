"""Bad input to ``hubsim load`` gets one clear line naming the option and the value."""

from __future__ import annotations

from pathlib import Path

from mockpki import PKIFiles
from tests.cli.conftest import hubsim
from tests.load.conftest import StubProcess

TARGET = ("--url", "https://localhost:9", "--server-cert", "hubject")


async def refused(pki: PKIFiles, *args: str) -> str:
    run = await hubsim("load", *TARGET, "--pki", str(pki.directory), *args)
    assert run.code == 2, run.out + run.err
    assert "Traceback" not in run.err and run.out == ""
    return run.err


async def test_a_rate_of_0_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--rate", "0", "--requests", "5")
    assert "--rate" in err and "'0'" in err and "more than 0" in err


async def test_an_option_refused_by_the_parser_gets_one_line_without_the_usage(
    pki_files: PKIFiles,
) -> None:
    err = await refused(pki_files, "--duration=-5", "-c", "2")
    assert err == (
        "hubsim: error: --duration '-5': give a duration of more than 0 (e.g. 30s); "
        "see 'hubsim load --help'\n"
    )


async def test_a_value_that_starts_with_a_dash_is_told_how_to_write_it(
    pki_files: PKIFiles,
) -> None:
    err = await refused(pki_files, "--duration", "-5s")
    assert "--duration: give it a value" in err and "--duration=VALUE" in err


async def test_a_negative_duration_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--duration=-5s")
    assert "--duration" in err and "-5s" in err and "more than 0" in err


async def test_a_mix_weight_that_is_not_a_number_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--mix", "remote-start-stop=lots", "--requests", "5")
    assert "remote-start-stop" in err and "'lots'" in err and "not a number" in err


async def test_an_unknown_mix_operation_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--mix", "remote-dance=1", "--requests", "5")
    assert "'remote-dance'" in err and "remote-start-stop" in err


async def test_an_operation_given_twice_in_the_mix_is_refused(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--mix", "remote-start=1,remote-start=2", "--requests", "5")
    assert "remote-start is given twice" in err and "once, with its weight" in err


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
    assert "--evse 'not-an-evse[1-3]'" in err and "'not-an-evse1' is not a valid" in err


async def test_the_last_evse_of_the_range_is_checked_before_the_run(pki_files: PKIFiles) -> None:
    pattern = "DE*ABC*E[999999999999999999999999999998-1000000000000000000000000000003]"
    err = await refused(pki_files, "--evse", pattern, "-c", "1", "--requests", "6")
    assert f"--evse {pattern!r}: the last EvseID of the range is refused" in err
    assert "'DE*ABC*E1000000000000000000000000000003' is not a valid" in err


async def test_a_junit_file_in_a_missing_folder_is_refused_before_the_run(
    pki_files: PKIFiles, tmp_path: Path
) -> None:
    junit = tmp_path / "no-such-folder" / "load.xml"
    err = await refused(pki_files, "--requests", "5", "--junit", str(junit))
    assert f"--junit '{junit}': the folder '{junit.parent}' does not exist" in err


async def test_a_junit_path_that_is_a_folder_is_refused(
    pki_files: PKIFiles, tmp_path: Path
) -> None:
    err = await refused(pki_files, "--requests", "5", "--junit", str(tmp_path))
    assert f"--junit '{tmp_path}' is a folder; give a file name" in err


async def test_one_shot_options_through_a_hub_are_refused(pki_files: PKIFiles) -> None:
    run = await hubsim(
        "load", "--operator", "DE*ABC", "--requests", "5", "--pki", str(pki_files.directory),
        "--timeout", "5",
    )  # fmt: skip
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.startswith("hubsim: error: --pki, --timeout: only for a one-shot target")


async def test_fresh_connections_through_a_hub_are_refused(pki_files: PKIFiles) -> None:
    run = await hubsim("load", "--operator", "DE*ABC", "--requests", "5", "--fresh-connections")
    assert run.code == 2
    assert "--fresh-connections" in run.err and "--url" in run.err


async def test_a_bad_provider_is_refused_naming_the_provider_option(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--provider", "x", "--requests", "5")
    assert err.startswith("hubsim: error: --provider: ProviderID 'x' is not a valid")


async def test_workers_0_is_named_before_any_other_missing_option(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--workers", "0")
    assert err.startswith("hubsim: error: --workers 0: give at least 1 process")


async def test_an_evse_without_a_range_is_refused_as_its_evse_id(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--evse", "foo", "--requests", "5")
    assert err.startswith("hubsim: error: --evse 'foo': its EvseID is refused: EvseID 'foo'")


async def test_a_reversed_evse_range_is_quoted_as_written(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--evse", "DE*ABC*E[1000-0001]", "--requests", "5")
    assert "the range [1000-0001] ends before it starts" in err


async def test_an_empty_junit_path_is_refused_as_no_file_name(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--requests", "5", "--junit", "")
    assert err.startswith("hubsim: error: --junit '': give a file name")


async def test_a_one_shot_url_over_http_is_refused_naming_url(pki_files: PKIFiles) -> None:
    # The portal's rule named its field (service_url:), not the option the user typed.
    err = await refused(pki_files, "--url", "http://localhost:9", "--requests", "5")
    assert err.startswith("hubsim: error: --url: Service URL 'http://localhost:9' uses http://")


async def test_an_unknown_server_cert_is_refused_naming_server_cert(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--server-cert", "foo", "--requests", "5")
    assert err.startswith("hubsim: error: --server-cert: use 'hubject'")


async def test_a_one_shot_run_without_server_cert_names_only_what_is_missing(
    pki_files: PKIFiles,
) -> None:
    pki = str(pki_files.directory)
    run = await hubsim("load", "--url", "https://localhost:9", "--pki", pki, "--requests", "5")
    assert run.code == 2
    assert run.err == (
        "hubsim: error: one-shot load (--url) needs --server-cert hubject|user:FILE too\n"
    )


async def test_max_in_flight_without_a_rate_is_refused(pki_files: PKIFiles) -> None:
    # It bounds only a --rate run: with -c it was taken and did nothing.
    err = await refused(pki_files, "-c", "4", "--max-in-flight", "10", "--requests", "5")
    assert err.startswith("hubsim: error: --max-in-flight 10 bounds a --rate run")


async def test_an_https_hub_url_on_a_plain_http_port_says_to_write_http(
    stub: StubProcess,
) -> None:
    # The hub's own admin port given as https:// was told "that port speaks TLS".
    plain = stub.control  # a plain-HTTP port, as the hub's admin port is
    https = "https://" + plain.removeprefix("http://")
    run = await hubsim("load", "--operator", "DE*ABC", "--hub", https, "--requests", "1")
    assert (run.code, run.err) == (
        2,
        f"hubsim: error: --hub {https}: that port speaks plain HTTP, as the hub's admin API "
        f"does; write {plain}\n",
    )


async def test_a_hub_url_on_a_tls_port_says_the_admin_api_is_plain_http(
    stub: StubProcess,
) -> None:
    # It said "cannot reach the hub ... start it with 'hubsim hub serve'".
    https = stub.url  # a TLS port, as the hub's OICP port is
    run = await hubsim("load", "--operator", "DE*ABC", "--hub", https, "--requests", "1")
    assert run.code == 2
    assert run.err.startswith(f"hubsim: error: --hub {https}: that port speaks TLS")


async def test_an_infinite_rate_is_refused_as_not_finite(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--rate", "inf", "--requests", "5")
    assert "--rate" in err and "'inf'" in err and "give a finite number" in err


async def test_an_infinite_threshold_is_refused_as_not_finite(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--max-p99-ms", "inf", "--requests", "5")
    assert "--max-p99-ms" in err and "'inf'" in err and "give a finite number above 0" in err


async def test_an_infinite_mix_weight_is_refused_as_not_finite(pki_files: PKIFiles) -> None:
    err = await refused(pki_files, "--mix", "remote-start=1e400", "--requests", "5")
    assert "'1e400'" in err and "give a finite number of 0 or more" in err


async def test_hub_options_with_a_one_shot_target_are_refused(pki_files: PKIFiles) -> None:
    err = await refused(
        pki_files, "--hub", "http://127.0.0.1:1", "--admin-token", "x" * 20, "--requests", "5"
    )
    assert err.startswith("hubsim: error: --hub, --admin-token: only through a hub (--operator ID)")


async def test_every_bad_value_of_the_load_shape_is_told_at_once(pki_files: PKIFiles) -> None:
    # One problem per run made a user fix -c, rerun, fix --requests, rerun ...
    err = await refused(
        pki_files, "-c", "0", "--requests", "-5", "--reservation-duration", "0", "--workers", "0"
    )
    assert err.splitlines() == [
        "hubsim: error: --workers 0: give at least 1 process",
        "-c 0: give at least 1 concurrent user",
        "--requests -5: give at least 1 request",
        "--reservation-duration 0: OICP's Duration is 1 to 99 minutes",
    ]


async def test_operator_and_url_together_are_refused_as_such_whatever_else_is_given(
    pki_files: PKIFiles,
) -> None:
    # With --hub or --pki beside them, the refusal named those instead, and told a user who
    # had given --operator that --hub is "only through a hub (--operator ID)".
    both = "hubsim: error: give either --operator (through a hub) or --url (one-shot), not both\n"
    for extra in ((), ("--hub", "http://127.0.0.1:9"), ("--pki", str(pki_files.directory))):
        run = await hubsim(
            "load", "--operator", "DE*ABC", "--url", "https://localhost:9", *extra,
            "--requests", "5",
        )  # fmt: skip
        assert (run.code, run.err) == (2, both)


async def test_more_users_than_a_run_can_hold_in_flight_are_refused(pki_files: PKIFiles) -> None:
    # -c 1000000 used a gigabyte for five requests; a larger -c ended in MemoryError.
    err = await refused(pki_files, "-c", "1000000", "--requests", "5")
    assert err.startswith("hubsim: error: -c 1000000: at most 10000 requests in flight")
    err = await refused(pki_files, "--rate", "5", "--max-in-flight", "20000", "--requests", "5")
    assert err.startswith("hubsim: error: --max-in-flight 20000: at most 10000 requests")


async def test_digits_of_other_scripts_are_refused_not_read_as_ascii(pki_files: PKIFiles) -> None:
    # "--evse DE*ABC*E[\u0661-\u0669]" sent DE*ABC*E1: int() reads Arabic-Indic digits.
    err = await refused(pki_files, "--evse", "DE*ABC*E[\u0661-\u0669]", "--requests", "5")
    assert "a range is written [FIRST-LAST] with digits" in err
    err = await refused(pki_files, "--rate", "\u0661\u0660", "--requests", "5")
    assert "is not a rate" in err
