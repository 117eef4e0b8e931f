"""Host monitoring: ping every host through its driver each `ping.interval` seconds.

A host that answers is Up. One that stops answering becomes Disconnected at once, then
Down when it has not answered for ping.interval x ping.timeout seconds (Alert instead when
the host answered with an error rather than not at all); the next good ping brings it back
Up. Hosts in Maintenance are not pinged. Hosts waiting to enter maintenance
(PrepareForMaintenance, ErrorInMaintenance) go into Maintenance once no VM is active on
them.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appliance.db import Database
from appliance.drivers.hypervisor import driver_for
from appliance.drivers.hypervisor.base import DriverError, HostAccess, HostUnreachable
from appliance.jobs import scheduler
from appliance.models import Cluster, Host, VirtualMachine
from appliance.models.base import utcnow
from appliance.models.infra import HostResourceState, HostStatus
from appliance.services import configuration
from appliance.services.infra.hosts import ACTIVE_VM_STATES, ROUTING, access

log = logging.getLogger("cirrus.monitor")

PINGED = (HostStatus.UP, HostStatus.DISCONNECTED, HostStatus.DOWN, HostStatus.ALERT)
WAITING = (HostResourceState.PREPARE_FOR_MAINTENANCE, HostResourceState.ERROR_IN_MAINTENANCE)
MAX_PARALLEL_PINGS = 8

# What a ping found: None (answered), "unreachable" or "error".
Outcome = str | None


def _ping(db: Database, target: HostAccess) -> tuple[str, Outcome, str]:
    try:
        driver_for(target.hypervisor, db).ping(target)
    except HostUnreachable as error:
        return target.id, "unreachable", error.text
    except DriverError as error:
        return target.id, "error", error.text
    except Exception as error:  # a broken driver must not stop the other hosts' pings
        return target.id, "error", f"{type(error).__name__}: {error}"
    return target.id, None, ""


def ping_hosts(db: Database) -> dict[str, str]:
    """One round: ping, then record each host's status; returns {host id: status}."""
    with db.session(write=False) as session:
        interval = float(configuration.get(session, "ping.interval"))
        factor = float(configuration.get(session, "ping.timeout"))
        rows = session.execute(select(Host, Cluster).join(Cluster, Cluster.id == Host.cluster_id)
                               .where(Host.removed.is_(None), Host.type == ROUTING,
                                      Host.status.in_(PINGED),
                                      Host.resource_state != HostResourceState.MAINTENANCE)
                               ).all()
        targets = [access(host, cluster) for host, cluster in rows]
    results: list[tuple[str, Outcome, str]] = []
    if targets:
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_PINGS, len(targets)),
                                thread_name_prefix="cirrus-ping") as pool:
            results = list(pool.map(lambda target: _ping(db, target), targets))
    statuses: dict[str, str] = {}
    with db.session(write=True) as session:
        now = utcnow()
        grace = timedelta(seconds=interval * factor)
        for host_id, outcome, text in results:
            host = session.get(Host, host_id)
            if host is None or host.removed is not None:
                continue
            if outcome is None:
                if host.status != HostStatus.UP:
                    log.info("host %s (%s) is Up again", host.name, host.id)
                host.status = HostStatus.UP
                host.last_heartbeat = now
                host.ping_failures = 0
                host.disconnected = None
            else:
                host.ping_failures += 1
                if host.status == HostStatus.UP:
                    host.status = HostStatus.DISCONNECTED
                    host.disconnected = now
                    log.warning("host %s (%s) is Disconnected: %s", host.name, host.id, text)
                silent_since = host.last_heartbeat or host.disconnected or host.created
                if host.status != HostStatus.UP and now - silent_since >= grace:
                    status = HostStatus.DOWN if outcome == "unreachable" else HostStatus.ALERT
                    if host.status != status:
                        log.error("host %s (%s) is %s: no answer for %.0f s (%s)", host.name,
                                  host.id, status, (now - silent_since).total_seconds(), text)
                    host.status = status
            statuses[host.id] = str(host.status)
        _finish_maintenance(session)
    return statuses


def _finish_maintenance(session: Session) -> None:
    for host in session.scalars(select(Host).where(Host.removed.is_(None),
                                                   Host.resource_state.in_(WAITING))):
        active = session.scalar(select(func.count()).select_from(VirtualMachine).where(
            VirtualMachine.host_id == host.id, VirtualMachine.removed.is_(None),
            VirtualMachine.state.in_(ACTIVE_VM_STATES))) or 0
        if not active:
            host.resource_state = HostResourceState.MAINTENANCE
            log.info("host %s (%s) entered Maintenance", host.name, host.id)


scheduler.register("host.ping", "ping.interval", ping_hosts)
