"""The one rule for days to expiry: a warning below 30 days, an urgent one below 7."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulator.expiry import ExpiryAlarm, expiry_of

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "alarm"),
    [
        (timedelta(days=30), ExpiryAlarm.NONE),
        (timedelta(days=30) - timedelta(seconds=1), ExpiryAlarm.WARN),
        (timedelta(days=7), ExpiryAlarm.WARN),
        (timedelta(days=7) - timedelta(seconds=1), ExpiryAlarm.URGENT),
        (timedelta(minutes=5), ExpiryAlarm.URGENT),
        (timedelta(0), ExpiryAlarm.EXPIRED),
        (-timedelta(days=3), ExpiryAlarm.EXPIRED),
    ],
)
def test_the_alarm_starts_below_30_days_turns_urgent_below_7_and_expired_at_the_end(
    left: timedelta, alarm: ExpiryAlarm
) -> None:
    assert expiry_of(NOW + left, NOW).alarm is alarm


def test_days_left_counts_whole_days_and_goes_negative_once_expired() -> None:
    assert expiry_of(NOW + timedelta(days=4, hours=23), NOW).days_left == 4
    assert expiry_of(NOW + timedelta(hours=3), NOW).days_left == 0
    assert expiry_of(NOW - timedelta(hours=3), NOW).days_left == -1


def test_the_sentence_names_the_certificate_the_date_and_the_urgency() -> None:
    urgent = expiry_of(NOW + timedelta(hours=30), NOW).sentence("The hub's service certificate")
    assert urgent == (
        "Urgent: the hub's service certificate expires on 2026-12-04 18:00 UTC, in 30 hours; "
        "renew it today (fewer than 7 days left)."
    )
    assert expiry_of(NOW + timedelta(days=400), NOW).sentence("It") == ""


def test_every_sentence_opens_with_a_capital_and_urgent_reads_on_in_lower_case() -> None:
    sentences = [
        expiry_of(NOW + left, NOW).sentence("It")
        for left in (-timedelta(days=1), timedelta(days=20), timedelta(days=2))
    ]
    assert [s.split(" expire")[0] for s in sentences] == ["It", "It", "Urgent: it"]
