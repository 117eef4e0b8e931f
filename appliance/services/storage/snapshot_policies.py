"""Recurring snapshot policies (seed §7.9.1, §7.9.3) and the runner that takes them.

A policy is one schedule of one volume per interval type: creating another of the same
type changes the existing one (as CloudStack does). Schedules are CloudStack's: "MM"
hourly, "MM:HH" daily, "MM:HH:D" weekly (day 1-7, 1 = Sunday), "MM:HH:DD" monthly (day
1-28), read in the policy's time zone; `next_run` is kept in UTC and computed so that
daylight-saving changes neither skip nor double a run.

`run_due(db, now)` is the runner, with the clock passed in: the scheduler calls it every
`snapshot.poll.interval` seconds with the current time. For each due policy it moves
`next_run` to the next occurrence after `now` (a conditional update: one process wins),
then queues a createSnapshot job, unless the volume has been inactive (detached, or its
VM not Running) since a snapshot was last taken after it became inactive.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appliance.db import Database
from appliance.errors import CloudError, ParamError
from appliance.jobs import queue, scheduler
from appliance.models import (
    Account,
    AccountType,
    IntervalType,
    Snapshot,
    SnapshotPolicy,
    SnapshotState,
    User,
    VirtualMachine,
    VmState,
    Volume,
)
from appliance.models.base import utcnow
from appliance.models.identity import UserState
from appliance.services import configuration, events, limits, tenancy
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.paging import Page, paginate
from appliance.services.storage import snapshots
from appliance.services.timezones import validate_timezone

log = logging.getLogger("cirrus.snapshots")

# The wire's intervaltype numbers (CloudStack's DateUtil.IntervalType ordinals).
INTERVAL_NUMBERS = {IntervalType.HOURLY: 0, IntervalType.DAILY: 1, IntervalType.WEEKLY: 2,
                    IntervalType.MONTHLY: 3}
CAP_PARAMS = {interval: f"snapshot.max.{interval.value.lower()}" for interval in IntervalType}
CREATE_COMMAND = "createSnapshot"


# -- schedules ------------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    minute: int
    hour: int = 0
    day: int = 0  # weekly: 1 (Sunday) - 7; monthly: 1 - 28


def interval_type(value: str) -> IntervalType:
    text = value.strip().upper()
    if text.isdigit():
        for interval, number in INTERVAL_NUMBERS.items():
            if number == int(text):
                return interval
    try:
        return IntervalType(text)
    except ValueError:
        raise ParamError(f"Unsupported interval type {value!r}: expected HOURLY, DAILY, "
                         "WEEKLY or MONTHLY") from None


def parse_schedule(interval: IntervalType, text: str) -> Schedule:
    """CloudStack's schedule text for `interval` (431 naming the value when invalid)."""
    formats = {IntervalType.HOURLY: "MM", IntervalType.DAILY: "MM:HH",
               IntervalType.WEEKLY: "MM:HH:DD (day of week 1-7, 1 = Sunday)",
               IntervalType.MONTHLY: "MM:HH:DD (day of month 1-28)"}
    parts = text.strip().split(":")
    expected = {IntervalType.HOURLY: 1, IntervalType.DAILY: 2}.get(interval, 3)
    invalid = ParamError(f"Invalid schedule {text!r} for interval type {interval.value}: "
                         f"expected {formats[interval]}")
    if len(parts) != expected or not all(p.strip().isdigit() for p in parts):
        raise invalid
    numbers = [int(p) for p in parts]
    minute = numbers[0]
    hour = numbers[1] if expected > 1 else 0
    day = numbers[2] if expected > 2 else 0
    top_day = 7 if interval == IntervalType.WEEKLY else 28
    if not 0 <= minute <= 59 or not 0 <= hour <= 23 or (expected > 2 and not 1 <= day <= top_day):
        raise invalid
    return Schedule(minute, hour, day)


def resolve_timezone(value: str) -> str:
    """An Appendix A zone in its canonical spelling, or any IANA zone name the system
    knows (clients such as the Ansible collection send "UTC"); 431 otherwise."""
    try:
        return validate_timezone(value)
    except ParamError:
        name = value.strip()
        if name in available_timezones():
            return name
        raise


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParamError(f"Unknown time zone {name!r}") from None


def next_run(interval: IntervalType, schedule: Schedule, timezone: str,
             after: datetime) -> datetime:
    """The first time strictly after `after` (aware) the schedule fires, in UTC.

    Hourly runs fire at minute MM of every real hour. Daily, weekly and monthly runs fire
    at the wall-clock time HH:MM of their day: a time a DST change skips fires when the
    clocks have gone forward (02:30 becomes 03:30), one it repeats fires once (the first).
    """
    zone = _zone(timezone)
    after = after.astimezone(UTC)
    start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if interval == IntervalType.HOURLY:
        for step in range(3 * 60):  # an hour, plus whatever an offset change adds
            candidate = start + timedelta(minutes=step)
            if candidate.astimezone(zone).minute == schedule.minute:
                return candidate
        raise ParamError(f"Schedule minute {schedule.minute} never occurs in {timezone}")
    local_day = after.astimezone(zone).date()
    for offset in range(0, 400):
        day = local_day + timedelta(days=offset)
        if interval == IntervalType.WEEKLY and day.isoweekday() % 7 + 1 != schedule.day:
            continue
        if interval == IntervalType.MONTHLY and day.day != schedule.day:
            continue
        wall = datetime(day.year, day.month, day.day, schedule.hour, schedule.minute,
                        tzinfo=zone)
        # fold=0: a repeated wall time is its first occurrence; one inside a gap converts
        # through the offset before the gap, which lands after it.
        candidate = wall.astimezone(UTC)
        if candidate > after:
            return candidate
    raise ParamError(f"Schedule {schedule} of interval {interval.value} never occurs")


# -- the API's side -------------------------------------------------------------------

def get(ctx: CallContext, policy_id: str) -> SnapshotPolicy:
    """A live policy the caller may act on (431 unknown, 531 another tenant's)."""
    policy = ctx.session.get(SnapshotPolicy, policy_id)
    if policy is None or policy.removed is not None:
        raise ParamError(f"Unable to find snapshot policy with id {policy_id}")
    volume = ctx.session.get(Volume, policy.volume_id)
    domain_id = volume.domain_id if volume is not None else ctx.caller.domain.id
    tenancy.check_owner(ctx, policy.account_id, domain_id, what=f"snapshot policy {policy_id}")
    return policy


def create(ctx: CallContext, *, volume_id: str, interval: str, schedule: str, timezone: str,
           max_snaps: int) -> SnapshotPolicy:
    """createSnapshotPolicy: a new policy, or the volume's policy of that interval type
    updated. 431 on a bad interval, schedule, time zone or maxsnaps (over the global cap
    snapshot.max.<interval> or the owner's snapshot limit), a volume not created yet."""
    volume = snapshots.volume(ctx, volume_id)
    snapshots.require_created(volume)
    kind = interval_type(interval)
    parsed = parse_schedule(kind, schedule)
    zone_name = resolve_timezone(timezone)
    if max_snaps <= 0:
        raise ParamError(f"Invalid maxsnaps {max_snaps}: it must be greater than 0")
    cap = int(configuration.get(ctx.session, CAP_PARAMS[kind]))
    if max_snaps > cap:
        raise ParamError(f"maxsnaps {max_snaps} exceeds the limit {cap} "
                         f"({CAP_PARAMS[kind]}) for interval type {kind.value}")
    owner = ctx.session.get(Account, volume.account_id)
    assert owner is not None
    _check_owner_limit(ctx, owner, max_snaps)
    values = {"schedule": schedule.strip(), "timezone": zone_name, "max_snaps": max_snaps,
              "next_run": next_run(kind, parsed, zone_name, utcnow())}
    existing = select(SnapshotPolicy).where(
        SnapshotPolicy.volume_id == volume.id, SnapshotPolicy.interval_type == kind,
        SnapshotPolicy.removed.is_(None)).with_for_update()
    policy = ctx.session.scalar(existing)
    if policy is None:
        try:
            with ctx.session.begin_nested():
                policy = SnapshotPolicy(volume_id=volume.id, account_id=volume.account_id,
                                        interval_type=kind, active_key="1", **values)
                ctx.session.add(policy)
        except IntegrityError:
            policy = None  # a concurrent create of the same type won: change that one
    if policy is None:
        policy = ctx.session.scalar(existing)
        assert policy is not None
    for key, value in values.items():
        setattr(policy, key, value)
    ctx.session.flush()
    ctx.log.info("snapshot policy %s of volume %s: %s %s %s, keeps %d, next %s", policy.id,
                 volume.id, kind.value, policy.schedule, zone_name, max_snaps,
                 policy.next_run)
    return policy


def _check_owner_limit(ctx: CallContext, owner: Account, max_snaps: int) -> None:
    if owner.type == AccountType.ADMIN:
        return
    caps = [limits.account_limit(ctx.session, owner, ResourceType.SNAPSHOT)]
    caps += [limits.domain_limit(ctx.session, domain, ResourceType.SNAPSHOT)
             for domain in limits.ancestors(ctx.session, owner.domain) if domain.parent_id]
    for cap in caps:
        if cap != limits.UNLIMITED and max_snaps > cap:
            raise ParamError(f"maxsnaps {max_snaps} exceeds the snapshot limit {cap} of "
                             f"account {owner.name} or its domain")


def delete(ctx: CallContext, policy_ids: list[str]) -> None:
    """deleteSnapshotPolicies: the policies stop; the snapshots they took stay."""
    if not policy_ids:
        raise ParamError("Either id or ids is required")
    policies = [get(ctx, policy_id) for policy_id in dict.fromkeys(policy_ids)]
    now = utcnow()
    for policy in policies:
        policy.removed, policy.active_key = now, policy.id
    ctx.session.flush()


def list_policies(ctx: CallContext, *, volume_id: str | None, policy_id: str | None,
                  page: int | None, pagesize: int | None) -> Page[SnapshotPolicy]:
    stmt = (select(SnapshotPolicy).join(Account, Account.id == SnapshotPolicy.account_id)
            .join(Volume, Volume.id == SnapshotPolicy.volume_id)
            .where(SnapshotPolicy.removed.is_(None), Volume.removed.is_(None),
                   Volume.state.not_in(snapshots.GONE))
            .order_by(SnapshotPolicy.created, SnapshotPolicy.id))
    if volume_id is not None:
        stmt = stmt.where(SnapshotPolicy.volume_id == snapshots.volume(ctx, volume_id).id)
    if policy_id is not None:
        stmt = stmt.where(SnapshotPolicy.id == get(ctx, policy_id).id)
    stmt = tenancy.scope(stmt, ctx, account_col=SnapshotPolicy.account_id,
                         domain_col=Account.domain_id, listall=True)
    return paginate(ctx.session, stmt, page, pagesize)


# -- the runner -----------------------------------------------------------------------

def inactive_since(session: Session, volume: Volume) -> datetime | None:
    """When the volume last became inactive (seed §7.9.3: detached, or attached to a VM
    that is not Running); None while it is active."""
    if volume.vm_id is None:
        return volume.detached or volume.created
    vm = session.get(VirtualMachine, volume.vm_id)
    if vm is None:
        return volume.detached or volume.created
    if vm.state == VmState.RUNNING:
        return None
    return vm.state_changed or vm.created


def skip_inactive(session: Session, volume: Volume) -> bool:
    """True when a recurring snapshot is to be skipped: the volume has stayed inactive
    and at least one snapshot was taken since it became so."""
    since = inactive_since(session, volume)
    if since is None:
        return False
    taken = session.scalar(select(func.count()).select_from(Snapshot).where(
        Snapshot.volume_id == volume.id, Snapshot.removed.is_(None),
        Snapshot.state != SnapshotState.ERROR, Snapshot.created >= since))
    return bool(taken)


def run_due(db: Database, now: datetime) -> list[str]:
    """Queue the snapshots of every policy due at `now`; the ids of the jobs queued."""
    with db.session(write=False) as session:
        due = list(session.execute(
            select(SnapshotPolicy.id, SnapshotPolicy.next_run)
            .where(SnapshotPolicy.removed.is_(None), SnapshotPolicy.next_run <= now)
            .order_by(SnapshotPolicy.next_run, SnapshotPolicy.id)).all())
    queued = []
    for policy_id, due_at in due:
        try:
            job_id = _run_policy(db, policy_id, due_at, now)
        except Exception:
            log.exception("recurring snapshot of policy %s failed; it runs again when due",
                          policy_id)
            continue
        if job_id is not None:
            queued.append(job_id)
    return queued


def _run_policy(db: Database, policy_id: str, due_at: datetime, now: datetime) -> str | None:
    with db.session(write=True) as session:
        policy = session.get(SnapshotPolicy, policy_id)
        if policy is None or policy.removed is not None:
            return None
        kind = IntervalType(policy.interval_type)
        following = next_run(kind, parse_schedule(kind, policy.schedule), policy.timezone, now)
        moved = session.execute(
            update(SnapshotPolicy)
            .where(SnapshotPolicy.id == policy_id, SnapshotPolicy.next_run == due_at,
                   SnapshotPolicy.removed.is_(None))
            .values(next_run=following, last_run=now))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another process ran this occurrence
        volume = session.get(Volume, policy.volume_id)
        if volume is None or volume.removed is not None or volume.state in snapshots.GONE:
            session.execute(update(SnapshotPolicy).where(SnapshotPolicy.id == policy_id)
                            .values(removed=now, active_key=policy_id))
            return None
        if skip_inactive(session, volume):
            log.info("policy %s: volume %s inactive since its last snapshot; skipped",
                     policy_id, volume.name)
            return None
        user = _acting_user(session, volume.account_id)
        ctx = CallContext.for_user(session, user, db=db)
        try:
            with session.begin_nested():
                snapshot = snapshots.create(ctx, volume.id, policy_id=policy_id)
        except CloudError as error:
            log.warning("policy %s: snapshot of volume %s not taken: %s", policy_id,
                        volume.name, error.text)
            events.record(session, type="SNAPSHOT.CREATE", user=user, account=user.account,
                          level=events.Level.ERROR,
                          description=f"Recurring {kind.value.lower()} snapshot of volume "
                                      f"{volume.name} not taken: {error.text}")
            return None
        job = queue.submit(ctx, CREATE_COMMAND, {"volumeid": volume.id, "policyid": policy_id},
                           event_type="SNAPSHOT.CREATE",
                           description=f"recurring {kind.value.lower()} snapshot of volume "
                                       f"{volume.name}",
                           instance_type="Snapshot", instance_id=snapshot.id)
        log.info("policy %s: queued job-%s for snapshot %s of volume %s", policy_id, job.id,
                 snapshot.id, volume.name)
        return job.id


def _acting_user(session: Session, account_id: str) -> User:
    """Whom a recurring snapshot job runs as: a user of the volume's account (its jobs and
    events are the owner's), else the default admin."""
    user = session.scalar(select(User).where(User.account_id == account_id,
                                             User.state == UserState.ENABLED)
                          .order_by(User.created, User.id).limit(1))
    if user is None:
        user = session.scalar(select(User).join(Account, User.account_id == Account.id).where(
            Account.type == AccountType.ADMIN, User.is_default.is_(True)))
    if user is None:
        raise LookupError("no user to run recurring snapshots as")
    return user


def run_now(db: Database) -> list[str]:
    """The scheduler's entry: `run_due` at the current time."""
    return run_due(db, utcnow())


scheduler.register("snapshot.policies", "snapshot.poll.interval", run_now)
