"""The notes under a load report: what a reader of its figures must know."""

from __future__ import annotations

from hubsim.load.report import LATE_NOTE_MS, Report, Thresholds
from hubsim.load.stats import Tally


def _report(tally: Tally) -> Report:
    return Report(tally=tally, seconds=1.0, workers=1, thresholds=Thresholds())


def test_a_load_late_on_its_own_timers_gets_a_note_naming_workers() -> None:
    notes = _report(Tally(max_lag_ms=LATE_NOTE_MS + 200)).notes()
    assert len(notes) == 1
    assert notes[0].startswith("this load was up to 1.2 s late on its own timers")
    assert "--workers N" in notes[0]


def test_a_load_on_time_gets_no_note() -> None:
    assert _report(Tally(max_lag_ms=LATE_NOTE_MS - 1)).notes() == []


def test_merged_tallies_keep_the_largest_lag_of_their_processes() -> None:
    merged = Tally()
    for lag in (30.0, 2500.0, 4.0):
        each = Tally(max_lag_ms=lag, max_behind_ms=lag, max_behind_full_ms=lag)
        merged.merge(Tally.from_wire(each.to_wire()))
    assert merged.max_lag_ms == merged.max_behind_ms == merged.max_behind_full_ms == 2500.0


def test_merged_tallies_add_up_their_failed_stops() -> None:
    merged = Tally()
    for failed in (2, 0, 5):
        merged.merge(Tally.from_wire(Tally(stops_failed=failed).to_wire()))
    assert merged.stops_failed == 7


def test_one_stop_not_accepted_is_told_in_the_singular() -> None:
    assert _report(Tally(stops_failed=1)).notes() == [
        "1 stop was not accepted: the session or reservation it was to end may still be open "
        "at the backend, which then refuses the next start on that EVSE (602 while charging, "
        "601 while reserved)"
    ]


def test_a_rate_not_kept_against_a_backend_closing_connections_asks_for_no_more_in_flight() -> None:
    tally = Tally(max_behind_ms=LATE_NOTE_MS + 500, max_behind_full_ms=LATE_NOTE_MS + 500)
    tally.add("connection_closed", "The backend ended the connection ...", 2.0, False)
    tally.add("accepted", "Accepted (StatusCode 000).", 2.0, True)
    errors = Report(tally=tally, seconds=1.0, workers=1, thresholds=Thresholds(max_error_rate=1))
    (note,) = errors.notes()
    assert note.endswith("the backend answers slower than the rate asks: lower --rate")


def test_a_rate_not_kept_while_slots_were_free_blames_this_process_not_the_backend() -> None:
    # A process that fell behind on its own (opening TLS connections to catch up) was told
    # that the backend "answers slower than the rate asks", of a backend answering in 1 ms.
    (note,) = _report(Tally(max_behind_ms=LATE_NOTE_MS + 400, max_behind_full_ms=20.0)).notes()
    assert note.startswith("--rate was not kept: operations started up to 1.4 s behind")
    assert "while --max-in-flight slots were free: this process was too busy" in note
    assert "the backend answers slower" not in note
