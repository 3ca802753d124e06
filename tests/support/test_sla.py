"""Service levels in business hours, table-tested with a frozen clock (no HTTP, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfoNotFoundError

import pytest

from portal.support import sla
from portal.support.models import RequestPriority, RequestStatus, SupportRequest

# Monday to Friday 09:00-17:00 UTC; Friday 25 December 2026 is a holiday.
POLICY = sla.policy_from_settings({"time_zone": "UTC", "holidays": ["2026-12-25"]})
HOUR = 3600


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("start", "hours", "due"), [
    (at(7, 10), 1, at(7, 11)),             # Monday morning, within the day
    (at(7, 16), 1, at(7, 17)),             # ends exactly at closing time
    (at(7, 16, 30), 1, at(8, 9, 30)),      # the night does not count
    (at(7, 7), 1, at(7, 10)),              # written before opening
    (at(4, 16), 2, at(7, 10)),             # Friday afternoon: the weekend does not count
    (at(5, 12), 1, at(7, 10)),             # written on Saturday
    (at(24, 16), 2, at(28, 10)),           # Thursday before the Christmas holiday
    (at(7, 10), 48, at(15, 10)),           # 48 business hours are six working days
    (at(7, 10), 0, at(7, 10)),
])
def test_adding_business_time(start: datetime, hours: int, due: datetime) -> None:
    assert POLICY.add_business_time(start, hours * HOUR) == due


@pytest.mark.parametrize(("start", "end", "hours"), [
    (at(7, 10), at(7, 12), 2),
    (at(4, 16), at(7, 10), 2),             # over a weekend
    (at(5, 8), at(6, 20), 0),              # all weekend
    (at(24, 16), at(28, 10), 2),           # over the holiday
    (at(7, 18), at(8, 8), 0),              # a night
    (at(7, 12), at(7, 10), -2),            # backwards is negative
])
def test_business_time_between(start: datetime, end: datetime, hours: int) -> None:
    assert POLICY.business_seconds(start, end) == hours * HOUR


def test_the_store_time_zone_and_daylight_saving_are_respected() -> None:
    policy = sla.policy_from_settings({"time_zone": "America/Los_Angeles"})
    # Friday 12 March 2027, 16:00 PST is 00:00 UTC; clocks go forward on Sunday 14 March.
    friday = datetime(2027, 3, 13, 0, 0, tzinfo=UTC)
    # Two business hours: one on Friday, one from 09:00 PDT (16:00 UTC) on Monday.
    assert policy.add_business_time(friday, 2 * HOUR) == datetime(2027, 3, 15, 17, 0, tzinfo=UTC)


def _request(priority: RequestPriority, created: datetime) -> SupportRequest:
    support_request = SupportRequest(number="REQ-SLA", priority=priority,
                                     status=RequestStatus.OPEN, created_at=created)
    sla.start_clock(POLICY, support_request)
    return support_request


@pytest.mark.parametrize(("priority", "created", "first_due", "resolution_due"), [
    (RequestPriority.URGENT, at(7, 10), at(7, 11), at(8, 10)),
    (RequestPriority.HIGH, at(7, 10), at(7, 14), at(10, 10)),
    (RequestPriority.NORMAL, at(7, 10), at(8, 10), at(15, 10)),
    # Low: 24 business hours to answer, 120 (five days of 24) to resolve, holiday skipped.
    (RequestPriority.LOW, at(7, 10), at(10, 10), at(29, 10)),
    (RequestPriority.URGENT, at(7, 16, 30), at(8, 9, 30), at(8, 16, 30)),
])
def test_default_targets_per_priority(priority, created, first_due, resolution_due) -> None:
    support_request = _request(priority, created)
    assert support_request.first_response_due_at == first_due
    assert support_request.resolution_due_at == resolution_due


def test_waiting_on_the_shopper_stops_the_clock_and_moves_the_due_time() -> None:
    support_request = _request(RequestPriority.NORMAL, at(7, 10))
    support_request.first_response_at = at(7, 11)
    sla.change_status(POLICY, support_request, RequestStatus.AWAITING_CUSTOMER, now=at(7, 11))
    # While it waits, the time left does not move, whatever the clock says.
    left_monday = sla.sla_state(POLICY, support_request, now=at(7, 12)).seconds_left
    left_wednesday = sla.sla_state(POLICY, support_request, now=at(9, 10)).seconds_left
    assert left_monday == left_wednesday == 47 * HOUR
    assert sla.sla_state(POLICY, support_request, now=at(9, 10)).is_paused
    # The shopper writes on Wednesday 11:00: 16 business hours stood still.
    sla.change_status(POLICY, support_request, RequestStatus.OPEN, now=at(9, 11))
    assert support_request.sla_paused_seconds == 16 * HOUR
    assert support_request.resolution_due_at == at(17, 10)
    state = sla.sla_state(POLICY, support_request, now=at(9, 11))
    assert (state.target, state.seconds_left, state.is_paused) == ("resolution", 47 * HOUR, False)


def test_a_pause_over_a_weekend_and_holiday_costs_no_business_time() -> None:
    support_request = _request(RequestPriority.URGENT, at(24, 16))
    sla.change_status(POLICY, support_request, RequestStatus.AWAITING_CUSTOMER,
                      now=at(24, 16, 30))
    sla.change_status(POLICY, support_request, RequestStatus.OPEN, now=at(28, 8))
    assert support_request.sla_paused_seconds == 30 * 60  # Thursday's last half hour only
    assert support_request.first_response_due_at == at(28, 9, 30)


def test_time_left_and_overdue_before_the_first_response() -> None:
    support_request = _request(RequestPriority.URGENT, at(7, 10))
    on_time = sla.sla_state(POLICY, support_request, now=at(7, 10, 45))
    assert (on_time.target, on_time.seconds_left, on_time.is_breached) == (
        "first response", 15 * 60, False)
    late = sla.sla_state(POLICY, support_request, now=at(7, 11, 30))
    assert (late.seconds_left, late.is_breached) == (-30 * 60, True)
    overnight = sla.sla_state(POLICY, _request(RequestPriority.URGENT, at(7, 16, 30)),
                              now=at(8, 9))
    assert overnight.seconds_left == 30 * 60


def test_a_new_priority_sets_new_targets_from_when_the_shopper_wrote() -> None:
    support_request = _request(RequestPriority.LOW, at(7, 10))
    sla.change_priority(POLICY, support_request, RequestPriority.URGENT)
    assert support_request.first_response_due_at == at(7, 11)


def test_finished_requests_say_whether_they_made_it() -> None:
    made_it = _request(RequestPriority.URGENT, at(7, 10))
    made_it.first_response_at, made_it.resolved_at = at(7, 10, 30), at(7, 15)
    sla.change_status(POLICY, made_it, RequestStatus.RESOLVED, now=at(7, 15))
    state = sla.sla_state(POLICY, made_it, now=at(20, 10))
    assert (state.is_met, state.is_breached, state.target) == (True, False, "")
    late = _request(RequestPriority.URGENT, at(7, 10))
    late.first_response_at, late.resolved_at = at(7, 12), at(7, 15)
    sla.change_status(POLICY, late, RequestStatus.RESOLVED, now=at(7, 15))
    assert sla.sla_state(POLICY, late, now=at(20, 10)).is_met is False


def test_expected_first_response_for_the_contact_form() -> None:
    friday_afternoon = at(4, 16, 30)
    assert sla.expected_first_response(POLICY, priority=RequestPriority.NORMAL,
                                       now=friday_afternoon) == at(7, 16, 30)


def test_settings_from_the_environment_format() -> None:
    policy = sla.policy_from_settings({
        "time_zone": "Europe/Berlin", "week": {"5": ["10:00", "14:00"]},
        "holidays": ["2026-12-26"], "targets": {"urgent": [0.5, 4]},
    })
    assert policy.week == {5: (datetime(2000, 1, 1, 10).time(), datetime(2000, 1, 1, 14).time())}
    assert policy.holidays == frozenset({date(2026, 12, 26)})
    assert policy.targets[RequestPriority.URGENT] == sla.Targets(1800, 4 * HOUR)
    assert policy.targets[RequestPriority.LOW] == sla.DEFAULT_TARGETS[RequestPriority.LOW]
    with pytest.raises(ValueError, match="opening hours"):
        sla.policy_from_settings({"week": {}})
    with pytest.raises(ZoneInfoNotFoundError):
        sla.policy_from_settings({"time_zone": "Mars/Olympus"})


@pytest.mark.parametrize(("seconds", "text"), [
    (300, "5 min"), (3600, "1 h"), (7500, "2 h 5 min"), (-7500, "2 h 5 min"), (50 * HOUR, "50 h"),
])
def test_describing_business_time(seconds: int, text: str) -> None:
    assert sla.describe_seconds(seconds) == text
