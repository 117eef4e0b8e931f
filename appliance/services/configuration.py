"""Global configuration parameters (seed §7.5.3, §10.8.1, §11.7.2, §12): catalog and values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from appliance.errors import ParamError
from appliance.models import Configuration
from appliance.models.base import utcnow
from appliance.services.timezones import validate_timezone


@dataclass(frozen=True)
class Parameter:
    name: str
    category: str
    default: str
    description: str
    type: str  # integer, float, boolean, string, timezone, time
    minimum: float | None = None


def _parse(param: Parameter, raw: str) -> Any:
    kind = param.type
    if kind == "integer":
        value: Any = int(raw)
    elif kind == "float":
        value = float(raw)
    elif kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise ValueError(raw)
        return raw.lower() == "true"
    elif kind == "timezone":
        return validate_timezone(raw, param=param.name)
    elif kind == "time":
        match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", raw.strip())
        if not match:
            raise ValueError(raw)
        return raw.strip()
    else:
        return raw
    if param.minimum is not None and value < param.minimum:
        raise ValueError(raw)
    return value


_P = Parameter
CATALOG: dict[str, Parameter] = {p.name: p for p in (
    _P("max.template.iso.size", "Storage", "50",
       "The maximum size for a downloaded template or ISO (in GB).", "integer", 1),
    _P("max.volume.size.gb", "Storage", "2000", "The maximum size for a volume (in GB).",
       "integer", 1),
    _P("network.throttling.rate", "Network", "200",
       "Default data transfer rate in megabits per second allowed per user.", "integer", 0),
    _P("snapshot.max.hourly", "Snapshots", "8",
       "Maximum hourly snapshots for a volume.", "integer", 0),
    _P("snapshot.max.daily", "Snapshots", "8",
       "Maximum daily snapshots for a volume.", "integer", 0),
    _P("snapshot.max.weekly", "Snapshots", "8",
       "Maximum weekly snapshots for a volume.", "integer", 0),
    _P("snapshot.max.monthly", "Snapshots", "8",
       "Maximum monthly snapshots for a volume.", "integer", 0),
    _P("snapshot.delta.max", "Snapshots", "16",
       "Incremental snapshots taken after a full one before the next full one, where the "
       "hypervisor supports incremental backups.", "integer", 0),
    _P("snapshot.poll.interval", "Snapshots", "60",
       "Seconds between checks for recurring snapshots that are due.", "integer", 1),
    _P("expunge.delay", "Advanced", "86400",
       "Seconds a destroyed VM or deleted volume is kept before it is physically removed.",
       "integer", 0),
    _P("expunge.interval", "Advanced", "86400",
       "Seconds between runs of the garbage collector of destroyed VMs and volumes.",
       "integer", 1),
    _P("instance.name", "Advanced", "VM",
       "Suffix of VM instance names (i-<account>-<vm>-<suffix>) that tells this cloud's "
       "domains apart on shared hypervisors.", "string"),
    _P("vm.stop.timeout", "Advanced", "60",
       "Seconds a graceful VM stop may take before the VM is powered off.", "integer", 0),
    _P("vm.start.retries", "Advanced", "2",
       "Other hosts tried when a VM fails to start on the host chosen first.", "integer", 0),
    _P("vm.stats.interval", "Advanced", "60",
       "Seconds between samples of running VMs' usage and checks of their power state.",
       "integer", 1),
    _P("remote.access.vpn.client.iprange", "Network", "10.1.2.1-10.1.2.8",
       "Addresses of a remote access VPN: the router's end (the first), then the clients'.",
       "string"),
    _P("remote.access.vpn.psk.length", "Network", "24",
       "Length of a remote access VPN's generated IPsec preshared key.", "integer", 8),
    _P("remote.access.vpn.user.limit", "Network", "8",
       "VPN users an account may have.", "integer", 1),
    _P("vm.userdata.max.length", "Advanced", "32768",
       "Maximum length of a VM's base64-encoded user data.", "integer", 1),
    _P("usage.stats.job.exec.time", "Usage", "00:15",
       "Time (HH:MM, 24-hour) at which usage processing starts, in usage.execution.timezone.",
       "time"),
    _P("usage.execution.timezone", "Usage", "Etc/UTC",
       "Time zone of usage.stats.job.exec.time (Appendix A).", "timezone"),
    _P("usage.stats.job.aggregation.range", "Usage", "1440",
       "Minutes between usage processing runs; 1440 processes the previous whole day.",
       "integer", 1),
    _P("cpu.overprovisioning.factor", "Advanced", "1",
       "Used for CPU overprovisioning calculation; available CPU is (actual * factor).",
       "float", 1),
    _P("mem.overprovisioning.factor", "Advanced", "1",
       "Used for memory overprovisioning calculation.", "float", 1),
    _P("storage.overprovisioning.factor", "Storage", "2",
       "Used for storage overprovisioning calculation on NFS primary storage.", "float", 1),
    _P("system.vm.use.local.storage", "Advanced", "false",
       "Whether system VMs may use local storage pools.", "boolean"),
    _P("consoleproxy.url.domain", "Advanced", "",
       "Domain of the console proxy's wildcard SSL certificate (empty: plain IP URLs).",
       "string"),
    _P("consoleproxy.loadscan.interval", "Advanced", "10000",
       "Milliseconds between console proxy load scans.", "integer", 1000),
    _P("default.page.size", "Advanced", "500",
       "Items per page of a list command when pagesize is not given.", "integer", 1),
    _P("session.timeout", "Advanced", "1800",
       "Seconds of inactivity after which a login session ends.", "integer", 60),
    _P("integration.api.port", "Advanced", "0",
       "Loopback port of the unauthenticated integration API (0 disables it).", "integer", 0),
    _P("job.heartbeat.interval", "Advanced", "5",
       "Seconds between heartbeats of a management process running jobs.", "integer", 1),
    _P("job.dead.process.timeout", "Advanced", "30",
       "Seconds without heartbeat after which a process's claimed jobs are taken over.",
       "integer", 2),
    _P("vm.allocation.algorithm", "Advanced", "firstfit",
       "Order in which hosts that fit are tried: firstfit (fill one host before the next), "
       "random, firstfitleastconsumed (alias roundrobin, horizontal: least allocated first), "
       "userdispersing, userconcentratedpod_firstfit, userconcentratedpod_random, or a "
       "cirrus.host_rankers plug-in name or module:callable.", "string"),
    _P("host.allocators.filters", "Advanced", "default",
       "Comma list of host filters run by the planner: 'default' (the built-in chain), "
       "built-in names, cirrus.host_filters plug-in names or module:callable.", "string"),
    _P("storage.pool.allocator", "Storage", "default",
       "Order in which fitting primary storage pools are tried: default (closest, then "
       "most free), firstfit, random, or a cirrus.storage_allocators plug-in or "
       "module:callable.", "string"),
    _P("host.allocators.batch.size", "Advanced", "16",
       "Candidate hosts the planner reads per query (and a Python-only ranker sees).",
       "integer", 1),
    _P("ping.interval", "Advanced", "60",
       "Seconds between pings of each host by the host monitor.", "integer", 1),
    _P("ping.timeout", "Advanced", "2.5",
       "Multiplier of ping.interval after which a host that does not answer is Down.",
       "float", 1),
    _P("storage.stats.interval", "Storage", "60",
       "Seconds between checks of secondary storage (reachable or not, size and use) and "
       "measures of primary storage use.", "integer", 1),
    _P("simulator.host.cpus", "Simulator", "8",
       "CPU cores of a simulated host whose addHost URL does not say (?cpus=N).",
       "integer", 1),
    _P("simulator.host.cpuspeed", "Simulator", "2000",
       "CPU speed in MHz of a simulated host whose addHost URL does not say (?cpuspeed=N).",
       "integer", 1),
    _P("simulator.host.memory", "Simulator", "16384",
       "Memory in MiB of a simulated host whose addHost URL does not say (?memory=N MiB).",
       "integer", 1),
    _P("simulator.storage.capacity", "Simulator", "2048",
       "Size in GiB assumed for primary storage that cannot be measured here and was added "
       "without capacitybytes (nfs, iscsi, shared mount points not present locally).",
       "integer", 1),
    _P("image.store.mount.root", "Storage", "/var/lib/cirrus/secondary",
       "Directory under which NFS image stores are mounted on the management server "
       "(<root>/<store id>).", "string"),
    _P("automation.max.parallel", "Automation", "4",
       "Playbook runs one management process executes at the same time.", "integer", 1),
    _P("automation.forks", "Automation", "10",
       "Hosts one playbook run configures in parallel (ansible forks).", "integer", 1),
    _P("automation.run.timeout", "Automation", "1800",
       "Seconds a playbook run may take before it is cancelled and its job fails.",
       "integer", 1),
    _P("automation.lock.timeout", "Automation", "1800",
       "Seconds a run waits for another run on the same host or router to end.",
       "integer", 0),
    _P("automation.playbook.dir", "Automation", "",
       "Directory of the orchestration playbooks (empty: playbooks/ of the installation).",
       "string"),
    _P("automation.python.interpreter", "Automation", "/usr/bin/python3",
       "Python interpreter Ansible uses on hosts (set explicitly: no interpreter discovery).",
       "string"),
)}


def parameter(name: str) -> Parameter:
    param = CATALOG.get(name)
    if param is None:
        raise ParamError(f"Configuration parameter {name!r} does not exist")
    return param


def raw_value(session: Session, name: str) -> str:
    """The effective value as stored text: the operator's value, else the default."""
    row = session.get(Configuration, parameter(name).name)
    return row.value if row is not None and row.value is not None else CATALOG[name].default


def get(session: Session, name: str) -> Any:
    """The effective value, typed."""
    return _parse(CATALOG[name], raw_value(session, name))


def set_value(session: Session, name: str, value: str | None) -> Parameter:
    """Store a new value after type checking (431 names the parameter and the value)."""
    param = parameter(name)
    if value is None or value == "":
        row = session.get(Configuration, name)
        if row is not None:
            session.delete(row)
            session.flush()
        return param
    try:
        canonical = _parse(param, value)
    except (ValueError, ParamError):
        bound = f" >= {param.minimum:g}" if param.minimum is not None else ""
        raise ParamError(
            f"Invalid value {value!r} for configuration {name}: expected {param.type}{bound}"
        ) from None
    text = ("true" if canonical else "false") if param.type == "boolean" else str(value).strip()
    if param.type == "timezone":
        text = canonical
    row = session.get(Configuration, name)
    if row is None:
        session.add(Configuration(name=name, value=text, updated=utcnow()))
    else:
        row.value, row.updated = text, utcnow()
    return param


def search(name: str | None, category: str | None, keyword: str | None) -> list[Parameter]:
    """Catalog entries matching a name substring, a category and a keyword, by name."""
    def match(p: Parameter) -> bool:
        return (
            (not name or name.lower() in p.name.lower())
            and (not category or category.lower() == p.category.lower())
            and (not keyword or keyword.lower() in (p.name + " " + p.description).lower())
        )
    return sorted((p for p in CATALOG.values() if match(p)), key=lambda p: p.name)
