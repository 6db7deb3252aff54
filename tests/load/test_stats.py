"""Tallies of several processes merge exactly, and the plan fixes the n-th operation."""

from __future__ import annotations

import io

import pytest

from hubsim.load.engine import slot_time
from hubsim.load.plan import Unit, parse_evse_pattern, parse_mix, unit_schedule
from hubsim.load.report import Report, Thresholds
from hubsim.load.stats import Tally, rate_text


def test_merged_tallies_give_the_percentiles_of_all_values_together() -> None:
    values = [0.5 + (i * 7919 % 1000) / 10 for i in range(3000)]  # 0.5 ms to 100 ms, shuffled
    parts = [Tally(), Tally(), Tally()]
    whole = Tally()
    for i, ms in enumerate(values):
        parts[i % 3].add("accepted", "Accepted (StatusCode 000).", ms, True)
        whole.add("accepted", "Accepted (StatusCode 000).", ms, True)
    merged = Tally()
    for part in parts:
        merged.merge(Tally.from_wire(part.to_wire()))  # as a worker process sends it
    for p in (50.0, 90.0, 99.0, 99.9):
        assert merged.percentile_ms(p) == whole.percentile_ms(p)
    assert merged.max_ms() == whole.max_ms()
    assert merged.requests == whole.requests == 3000


def test_the_histogram_holds_every_time_added_before_it_is_read() -> None:
    tally = Tally()
    for ms in (1.0, 2.0, 2.0):
        tally.add("accepted", "", ms, True)
    assert tally.histogram.get_total_count() == 3  # read mid-run, as the progress line does
    tally.add("accepted", "", 3.0, True)
    assert tally.histogram.get_total_count() == 4
    assert 3.0 <= tally.max_ms() < 3.01  # HDR keeps 3 significant digits


def test_a_run_of_widely_spread_times_keeps_a_bounded_buffer_and_loses_none() -> None:
    tally = Tally()
    n = 20_000
    for i in range(n):
        tally.add("accepted", "", 1.0 + i, True)  # each time its own microsecond value
    assert len(tally._unrecorded) <= 4097
    assert tally.histogram.get_total_count() == n


def test_a_merged_outcome_keeps_the_earliest_first_diagnosis() -> None:
    early, late = Tally(), Tally()
    early.add("timeout", "first sentence", 10_000.0, False)
    late.add("timeout", "second sentence", 10_000.0, False)
    late.outcomes["timeout"].first_at = early.outcomes["timeout"].first_at + 1
    merged = Tally()
    merged.merge(late)
    merged.merge(early)
    assert merged.outcomes["timeout"].count == 2
    assert merged.outcomes["timeout"].first_detail == "first sentence"


def test_only_answers_within_ten_seconds_count_as_within_the_budget() -> None:
    tally = Tally()
    tally.add("accepted", "", 9_999.0, True)
    tally.add("accepted", "", 10_001.0, True)
    tally.add("timeout", "", 5.0, False)
    assert tally.within_budget == 1


def test_the_schedule_follows_the_weights_in_a_fixed_interleaved_order() -> None:
    mix = parse_mix("remote-start=3,reservation-start=1")
    schedule = unit_schedule(mix, 8)
    assert schedule.count(Unit.REMOTE_START) == 6
    assert schedule == unit_schedule(mix, 8)
    assert schedule[:4].count(Unit.RESERVATION_START) == 1


def test_an_evse_pattern_keeps_the_width_of_its_lower_bound() -> None:
    pattern = parse_evse_pattern("DE*ABC*E[0098-0100]X")
    assert [pattern.evse(n) for n in range(4)] == [
        "DE*ABC*E0098X",
        "DE*ABC*E0099X",
        "DE*ABC*E0100X",
        "DE*ABC*E0098X",
    ]


def test_a_run_shorter_than_a_second_reports_its_hundredths() -> None:
    # "10 requests in 0.0 s: 330 req/s" read as a rate made of nothing.
    tally = Tally()
    for _ in range(10):
        tally.add("accepted", "", 1.0, True)
    out = io.StringIO()
    Report(tally=tally, seconds=0.03, workers=1, thresholds=Thresholds()).write_text(out)
    assert out.getvalue().startswith("10 requests in 0.03 s: 333 req/s")


def test_a_rate_below_ten_a_second_keeps_its_decimal() -> None:
    # A run at --rate 0.5 printed "0 req/s", which reads as nothing sent at all.
    tally = Tally()
    for _ in range(3):
        tally.add("accepted", "", 1.0, True)
    out = io.StringIO()
    Report(tally=tally, seconds=6.0, workers=1, thresholds=Thresholds()).write_text(out)
    assert out.getvalue().startswith("3 requests in 6.0 s: 0.5 req/s")
    assert [rate_text(r) for r in (0.04, 9.9, 9.96, 333.4)] == [
        "0.0 req/s",
        "9.9 req/s",
        "10 req/s",
        "333 req/s",
    ]


def test_the_workers_slots_together_are_the_one_timetable_of_the_rate() -> None:
    # Each of 4 workers ran its quarter of --rate 4 from 0: bursts of 4 at once every
    # second, instead of one start every 0.25 s.
    workers, rate = 4, 4.0
    slots = sorted(
        slot_time(k, rate / workers, index, workers) for index in range(workers) for k in range(3)
    )
    assert slots == pytest.approx([j / rate for j in range(12)])
    assert [slot_time(k, rate, 7, 1) for k in range(3)] == [0.0, 0.25, 0.5]
