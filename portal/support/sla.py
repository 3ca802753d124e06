"""Service levels: first-response and resolution targets per priority, in business hours.

The clock runs only while the request is open (waiting on us). While it waits on the
shopper, or once resolved, the clock stops; when the shopper writes again the stopped
business time is added to both due times, so they move later by exactly that much.
Due times are stored on the request, so "breaching" is a plain indexed comparison in SQL.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from portal.support.models import RequestPriority, RequestStatus, SupportRequest

HOUR = 3600
_SEARCH_DAYS = 3660  # ten years of closed days means the calendar has no open hours at all


@dataclass(frozen=True)
class Targets:
    first_response_seconds: int
    resolution_seconds: int


DEFAULT_TARGETS: Mapping[RequestPriority, Targets] = {
    RequestPriority.URGENT: Targets(1 * HOUR, 8 * HOUR),
    RequestPriority.HIGH: Targets(4 * HOUR, 24 * HOUR),
    RequestPriority.NORMAL: Targets(8 * HOUR, 48 * HOUR),
    RequestPriority.LOW: Targets(24 * HOUR, 120 * HOUR),
}
# Monday (0) to Friday (4), 09:00 to 17:00 in the store's time zone.
DEFAULT_WEEK: Mapping[int, tuple[time, time]] = {day: (time(9), time(17)) for day in range(5)}


@dataclass(frozen=True)
class SlaPolicy:
    targets: Mapping[RequestPriority, Targets] = field(default_factory=lambda: DEFAULT_TARGETS)
    time_zone: str = "America/Los_Angeles"
    week: Mapping[int, tuple[time, time]] = field(default_factory=lambda: DEFAULT_WEEK)
    holidays: frozenset[date] = frozenset()
    auto_close_days: int = 7  # waiting on the shopper this long closes the request
    auto_close_notice_days: int = 2  # the shopper is warned this many days before

    def __post_init__(self) -> None:
        if not any(opens < closes for opens, closes in self.week.values()):
            raise ValueError("the support week needs at least one day with opening hours")
        if not 0 < self.auto_close_notice_days < self.auto_close_days:
            raise ValueError("the auto-close notice must come after the wait starts and "
                             "before the request is closed")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def _open_hours(self, day: date) -> tuple[datetime, datetime] | None:
        hours = self.week.get(day.weekday())
        if hours is None or day in self.holidays or hours[0] >= hours[1]:
            return None
        opens, closes = hours
        return (datetime.combine(day, opens, self.zone).astimezone(UTC),
                datetime.combine(day, closes, self.zone).astimezone(UTC))

    def business_seconds(self, start: datetime, end: datetime) -> int:
        """Business time between two instants; negative when end comes first."""
        if end < start:
            return -self.business_seconds(end, start)
        total = 0.0
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            hours = self._open_hours(day)
            if hours is not None:
                overlap = min(end, hours[1]) - max(start, hours[0])
                total += max(overlap.total_seconds(), 0)
            day += timedelta(days=1)
        return int(total)

    def add_business_time(self, start: datetime, seconds: int) -> datetime:
        """The instant `seconds` of business time after `start`."""
        if seconds <= 0:
            return start
        day = start.astimezone(self.zone).date()
        for _ in range(_SEARCH_DAYS):
            hours = self._open_hours(day)
            if hours is not None:
                begin = max(start, hours[0])
                available = (hours[1] - begin).total_seconds()
                if available > 0:
                    if seconds <= available:
                        return begin + timedelta(seconds=seconds)
                    seconds -= int(available)
            day += timedelta(days=1)
        raise ValueError("no business hours found in the support calendar")


DEFAULT_POLICY = SlaPolicy()


def load_sla_policy() -> SlaPolicy:
    """Defaults, overridden by the JSON in PORTAL_SLA_POLICY if set (see the README)."""
    raw = json.loads(os.environ.get("PORTAL_SLA_POLICY") or "{}")
    return policy_from_settings(raw)


def policy_from_settings(raw: Mapping[str, object]) -> SlaPolicy:
    """{"time_zone": "Europe/Berlin", "week": {"0": ["09:00", "17:00"], ...},
    "holidays": ["2026-12-25"], "targets": {"urgent": [1, 8], ...}} (targets in hours)."""
    overrides: dict[str, object] = {}
    if "time_zone" in raw:
        overrides["time_zone"] = str(raw["time_zone"])
        ZoneInfo(overrides["time_zone"])  # an unknown zone fails at start-up, not on a page
    if "week" in raw:
        week = raw["week"]
        assert isinstance(week, Mapping)
        overrides["week"] = {int(day): (time.fromisoformat(hours[0]), time.fromisoformat(hours[1]))
                             for day, hours in week.items()}
    if "holidays" in raw:
        holidays = raw["holidays"]
        assert isinstance(holidays, list)
        overrides["holidays"] = frozenset(date.fromisoformat(day) for day in holidays)
    for name in ("auto_close_days", "auto_close_notice_days"):
        if name in raw:
            overrides[name] = int(raw[name])  # type: ignore[call-overload]
    if "targets" in raw:
        given = raw["targets"]
        assert isinstance(given, Mapping)
        targets = dict(DEFAULT_TARGETS)
        for name, (first, resolve) in given.items():
            targets[RequestPriority(name)] = Targets(int(first * HOUR), int(resolve * HOUR))
        overrides["targets"] = targets
    return SlaPolicy(**overrides)  # type: ignore[arg-type]


def current_sla_policy() -> SlaPolicy:
    return current_app.config["SLA_POLICY"]


def expected_first_response(policy: SlaPolicy, *, priority: RequestPriority,
                            now: datetime) -> datetime:
    """When a request written now can expect its first answer (for the contact form)."""
    return policy.add_business_time(now, policy.targets[priority].first_response_seconds)


def start_clock(policy: SlaPolicy, support_request: SupportRequest) -> None:
    """Due times of a new request, from its creation time and priority."""
    support_request.sla_paused_seconds = 0
    support_request.sla_paused_at = None
    _set_due_times(policy, support_request)


def change_priority(policy: SlaPolicy, support_request: SupportRequest,
                    priority: RequestPriority) -> None:
    """A new priority means new targets, still counted from when the shopper wrote."""
    support_request.priority = priority
    _set_due_times(policy, support_request)


def change_status(policy: SlaPolicy, support_request: SupportRequest, status: RequestStatus,
                  *, now: datetime) -> None:
    """Stops the clock when the request leaves "open", restarts it when it comes back."""
    was_open = support_request.status == RequestStatus.OPEN
    support_request.status = status
    if was_open and status != RequestStatus.OPEN:
        support_request.sla_paused_at = now
    elif not was_open and status == RequestStatus.OPEN and support_request.sla_paused_at:
        support_request.sla_paused_seconds = (support_request.sla_paused_seconds or 0) + max(
            policy.business_seconds(support_request.sla_paused_at, now), 0)
        support_request.sla_paused_at = None
        _set_due_times(policy, support_request)


def _set_due_times(policy: SlaPolicy, support_request: SupportRequest) -> None:
    targets = policy.targets[support_request.priority]
    paused = support_request.sla_paused_seconds or 0
    start = support_request.created_at
    support_request.first_response_due_at = policy.add_business_time(
        start, targets.first_response_seconds + paused)
    support_request.resolution_due_at = policy.add_business_time(
        start, targets.resolution_seconds + paused)


@dataclass(frozen=True)
class SlaState:
    """What a request's service level says right now."""

    target: str  # "first response", "resolution" or "" when there is no clock
    seconds_left: int  # business seconds; negative when overdue
    is_paused: bool
    is_met: bool | None = None  # for a finished request: did it make its targets

    @property
    def is_breached(self) -> bool:
        return bool(self.target) and self.seconds_left < 0


def sla_state(policy: SlaPolicy, support_request: SupportRequest, *, now: datetime) -> SlaState:
    """Time left (or overdue) on the clock that matters next, in business time."""
    first_due, resolve_due = (support_request.first_response_due_at,
                              support_request.resolution_due_at)
    if first_due is None or resolve_due is None:
        return SlaState(target="", seconds_left=0, is_paused=False)
    if support_request.status in (RequestStatus.RESOLVED, RequestStatus.CLOSED):
        finished = support_request.resolved_at or now
        met = finished <= resolve_due and (
            support_request.first_response_at is None
            or support_request.first_response_at <= first_due)
        return SlaState(target="", seconds_left=0, is_paused=True, is_met=met)
    if support_request.first_response_at is None:
        target, due = "first response", first_due
    else:
        target, due = "resolution", resolve_due
    paused_at = support_request.sla_paused_at
    clock = paused_at if paused_at is not None else now
    return SlaState(target=target, seconds_left=policy.business_seconds(clock, due),
                    is_paused=paused_at is not None)


def describe_seconds(seconds: int) -> str:
    """'5 min', '2 h 5 min', '50 h': business time, so plain hours rather than days."""
    seconds = abs(seconds)
    hours, minutes = divmod(seconds // 60, 60)
    if hours >= 48:
        return f"{hours} h"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
