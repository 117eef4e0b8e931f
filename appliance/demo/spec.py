"""A datacenter spec: YAML in, typed dataclasses out, every mistake named by its key path.

The keys are CloudStack's own parameter names where one exists (`networktype`, `gateway`,
`cpuspeed`, `disksize`, `ostype`, ...); collections nest the way the infrastructure does
(zone → pods → clusters → hosts and primary storage).  String values may use `${NAME}`,
expanded from the variables the caller passes (`CIRRUS_HOME`, `CIRRUS_URL`, the
environment); `$${` writes a literal `${`.

    errors = []  →  SpecError("specs/x.yaml: zones[0].pods[0].gateway: required; ...")
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Union
from urllib.parse import urlparse

import yaml


class SpecError(ValueError):
    """A spec that cannot be applied; `problems` lists each one as 'key.path: what'."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        count = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
        super().__init__(f"{source}: {count} in the spec:\n{lines}")


# --- the spec's shape --------------------------------------------------------------------

@dataclass(frozen=True)
class HostSpec:
    """A hypervisor host (addHost); a simulator host's capacity is in its URL."""

    url: str
    username: str = "root"
    password: str = "password"
    hosttags: str | None = None


@dataclass(frozen=True)
class PrimaryStorageSpec:
    """A cluster's primary storage pool (createStoragePool)."""

    name: str
    url: str
    tags: str | None = None


@dataclass(frozen=True)
class ClusterSpec:
    name: str
    hypervisor: str = "Simulator"
    clustertype: str = "CloudManaged"
    hosts: list[HostSpec] = field(default_factory=list)
    primary_storage: list[PrimaryStorageSpec] = field(default_factory=list)


@dataclass(frozen=True)
class PodSpec:
    """A pod (createPod) with the private range its system VMs take addresses from."""

    name: str
    gateway: str
    netmask: str
    startip: str
    endip: str | None = None
    clusters: list[ClusterSpec] = field(default_factory=list)


@dataclass(frozen=True)
class SecondaryStorageSpec:
    """A zone's image store (addImageStore); `file://` URLs are directories on the appliance."""

    name: str
    url: str
    provider: str = "NFS"


@dataclass(frozen=True)
class IpRangeSpec:
    """A VLAN/IP range (createVlanIpRange): public on an advanced zone, or a basic zone's
    guest range in one pod (`pod` set, `forvirtualnetwork: false`)."""

    gateway: str
    netmask: str
    startip: str
    endip: str
    vlan: str = "untagged"
    forvirtualnetwork: bool = True
    pod: str | None = None


@dataclass(frozen=True)
class ZoneSpec:
    name: str
    networktype: Literal["Basic", "Advanced"]
    dns1: str
    internaldns1: str
    dns2: str | None = None
    internaldns2: str | None = None
    guestcidraddress: str | None = None
    vlan: str | None = None  # guest VLAN range of an advanced zone, "start-end"
    domain: str | None = None  # the zone's network domain
    securitygroupenabled: bool | None = None
    localstorageenabled: bool | None = None
    allocationstate: Literal["Enabled", "Disabled"] = "Enabled"
    pods: list[PodSpec] = field(default_factory=list)
    secondary_storage: list[SecondaryStorageSpec] = field(default_factory=list)
    ip_ranges: list[IpRangeSpec] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceOfferingSpec:
    name: str
    cpunumber: int
    cpuspeed: int  # MHz
    memory: int  # MB
    displaytext: str | None = None  # default: the name
    storagetype: Literal["shared", "local"] = "shared"
    offerha: bool = False
    limitcpuuse: bool = False
    tags: str | None = None
    hosttags: str | None = None


@dataclass(frozen=True)
class DiskOfferingSpec:
    name: str
    disksize: int | None = None  # GB; leave out with `customized: true`
    customized: bool = False
    displaytext: str | None = None
    storagetype: Literal["shared", "local"] = "shared"
    tags: str | None = None


@dataclass(frozen=True)
class TemplateSpec:
    """A template downloaded from `url` into each zone's secondary storage."""

    name: str
    url: str
    ostype: str  # the OS type's description, as listOsTypes shows it
    hypervisor: str
    format: Literal["QCOW2", "RAW", "VHD", "VMDK", "OVA", "TAR"]
    displaytext: str | None = None
    ispublic: bool = False
    isfeatured: bool = False
    isextractable: bool = False
    passwordenabled: bool = False
    requireshvm: bool = True
    checksum: str | None = None
    zones: list[str] | None = None  # default: every zone of the spec


@dataclass(frozen=True)
class Spec:
    zones: list[ZoneSpec] = field(default_factory=list)
    service_offerings: list[ServiceOfferingSpec] = field(default_factory=list)
    disk_offerings: list[DiskOfferingSpec] = field(default_factory=list)
    templates: list[TemplateSpec] = field(default_factory=list)
    source: str = field(default="<spec>", compare=False)

    def template_zones(self, template: TemplateSpec) -> list[str]:
        return list(template.zones) if template.zones else [zone.name for zone in self.zones]


# --- loading -----------------------------------------------------------------------------

def default_variables(**extra: str) -> dict[str, str]:
    """What `${NAME}` may refer to: the environment, CIRRUS_HOME, and `extra`."""
    from appliance.app import cirrus_home

    return {**os.environ, "CIRRUS_HOME": cirrus_home(), **extra}


def load(path: str, variables: Mapping[str, str] | None = None) -> Spec:
    """Read and validate a spec file (SpecError naming each bad key)."""
    try:
        with open(path) as handle:
            text = handle.read()
    except OSError as error:
        raise SpecError(path, [f"cannot read the file: {error.strerror}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SpecError(path, [f"not valid YAML: {error}"]) from None
    return parse(data, variables, source=path)


def parse(data: Any, variables: Mapping[str, str] | None = None, source: str = "<spec>"
          ) -> Spec:
    """Validate already-parsed YAML (a dict) into a Spec."""
    problems: list[str] = []
    if data is None:
        data = {}
    context = _Context(variables if variables is not None else default_variables(), problems)
    spec = context.build(Spec, data, "", skip=("source",))
    if spec is not None:
        _check(spec, problems)
    if problems or spec is None:
        raise SpecError(source, problems or ["the spec is empty"])
    return dataclasses.replace(spec, source=source)


_VARIABLE = re.compile(r"\$(\$)?\{([^}]*)\}")


@dataclass
class _Context:
    variables: Mapping[str, str]
    problems: list[str]

    def fail(self, path: str, text: str) -> None:
        self.problems.append(f"{path or '(top level)'}: {text}")

    def build(self, cls: type[Any], data: Any, path: str, skip: tuple[str, ...] = ()
              ) -> Any:
        if not isinstance(data, dict):
            self.fail(path, f"must be a mapping of keys, got {_kind(data)}")
            return None
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
        for key in data:
            if key not in fields:
                close = ", ".join(sorted(fields))
                self.fail(_join(path, str(key)), f"unknown key (expected one of: {close})")
        values: dict[str, Any] = {}
        ok = True
        for name, spec_field in fields.items():
            where = _join(path, name)
            if name not in data or data[name] is None:
                required = (spec_field.default is dataclasses.MISSING
                            and spec_field.default_factory is dataclasses.MISSING)
                if required:
                    self.fail(where, "required")
                    ok = False
                continue
            value, good = self.convert(hints[name], data[name], where)
            ok &= good
            values[name] = value
        return cls(**values) if ok else None

    def convert(self, hint: Any, value: Any, path: str) -> tuple[Any, bool]:
        origin = typing.get_origin(hint)
        if origin in (Union, types.UnionType):
            (inner,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            return self.convert(inner, value, path)
        if origin is Literal:
            choices = typing.get_args(hint)
            if value not in choices:
                self.fail(path, f"must be one of {', '.join(choices)}, got {value!r}")
                return None, False
            return value, True
        if origin is list:
            (item_hint,) = typing.get_args(hint)
            if not isinstance(value, list):
                self.fail(path, f"must be a list, got {_kind(value)}")
                return None, False
            items = [self.convert(item_hint, item, f"{path}[{index}]")
                     for index, item in enumerate(value)]
            return [item for item, _ in items], all(good for _, good in items)
        if dataclasses.is_dataclass(hint):
            built = self.build(hint, value, path)  # type: ignore[arg-type]
            return built, built is not None
        if hint is bool:
            if not isinstance(value, bool):
                self.fail(path, f"must be true or false, got {value!r}")
                return None, False
            return value, True
        if hint is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.fail(path, f"must be a whole number >= 0, got {value!r}")
                return None, False
            return value, True
        if hint is str:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.fail(path, f"must be a string, got {_kind(value)}")
                return None, False
            return self.expand(str(value), path)
        raise TypeError(f"spec field type {hint!r} is not supported")  # a bug here, not input

    def expand(self, text: str, path: str) -> tuple[str, bool]:
        missing: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            if match[1]:
                return "${" + match[2] + "}"
            name = match[2]
            if name not in self.variables:
                missing.append(name)
                return match[0]
            return self.variables[name]

        out = _VARIABLE.sub(substitute, text)
        for name in missing:
            self.fail(path, f"${{{name}}} is not defined")
        return out, not missing


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: f"the string {value!r}",
            bool: f"{value!r}"}.get(type(value), f"{value!r}")


# --- checks across fields ----------------------------------------------------------------

def _check(spec: Spec, problems: list[str]) -> None:
    def fail(path: str, text: str) -> None:
        problems.append(f"{path}: {text}")

    _unique("zones", [z.name for z in spec.zones], fail)
    _unique("service_offerings", [o.name for o in spec.service_offerings], fail)
    _unique("disk_offerings", [o.name for o in spec.disk_offerings], fail)
    _unique("templates", [t.name for t in spec.templates], fail)
    hosts: dict[str, str] = {}
    for z, zone in enumerate(spec.zones):
        zp = f"zones[{z}]"
        for key in ("dns1", "dns2", "internaldns1", "internaldns2"):
            _address(f"{zp}.{key}", getattr(zone, key), fail)
        if zone.guestcidraddress is not None:
            try:
                ipaddress.ip_network(zone.guestcidraddress, strict=True)
            except ValueError as error:
                fail(f"{zp}.guestcidraddress", f"not a network in CIDR form: {error}")
        _unique(f"{zp}.pods", [p.name for p in zone.pods], fail)
        _unique(f"{zp}.secondary_storage", [s.name for s in zone.secondary_storage], fail)
        pods = {pod.name for pod in zone.pods}
        for p, pod in enumerate(zone.pods):
            pp = f"{zp}.pods[{p}]"
            _range(pp, pod.gateway, pod.netmask, pod.startip, pod.endip, fail)
            _unique(f"{pp}.clusters", [c.name for c in pod.clusters], fail)
            for c, cluster in enumerate(pod.clusters):
                cp = f"{pp}.clusters[{c}]"
                for h, host in enumerate(cluster.hosts):
                    hp = f"{cp}.hosts[{h}]"
                    if not _url(host.url, ("http", "https")):
                        fail(f"{hp}.url", f"must be an http:// URL, got {host.url!r}")
                    elif host.url in hosts:
                        fail(f"{hp}.url", f"the same host as {hosts[host.url]}")
                    hosts.setdefault(host.url, hp)
                for s, pool in enumerate(cluster.primary_storage):
                    if not _url(pool.url):
                        fail(f"{cp}.primary_storage[{s}].url",
                             f"must be a URL (nfs://SERVER/PATH, ...), got {pool.url!r}")
                _unique(f"{cp}.primary_storage", [s.name for s in cluster.primary_storage],
                        fail)
        for s, store in enumerate(zone.secondary_storage):
            if not _url(store.url):
                fail(f"{zp}.secondary_storage[{s}].url",
                     f"must be a URL (nfs://SERVER/PATH or file:///DIR), got {store.url!r}")
        for r, ip_range in enumerate(zone.ip_ranges):
            rp = f"{zp}.ip_ranges[{r}]"
            _range(rp, ip_range.gateway, ip_range.netmask, ip_range.startip, ip_range.endip,
                   fail)
            if ip_range.pod is not None and ip_range.pod not in pods:
                fail(f"{rp}.pod", f"no pod {ip_range.pod!r} in zone {zone.name!r}")
    for o, disk in enumerate(spec.disk_offerings):
        if disk.customized == (disk.disksize is not None):
            fail(f"disk_offerings[{o}]", "give either disksize (GB) or customized: true")
    zones = {zone.name for zone in spec.zones}
    for t, template in enumerate(spec.templates):
        tp = f"templates[{t}]"
        if not _url(template.url, ("http", "https")):
            fail(f"{tp}.url", f"must be an http:// URL, got {template.url!r}")
        if template.zones is None and not zones:
            fail(f"{tp}.zones", "required when the spec declares no zones")


def _unique(path: str, names: list[str], fail: typing.Callable[[str, str], None]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            fail(f"{path}[{index}].name", f"duplicate name {name!r}")
        seen.add(name)


def _url(text: str, schemes: tuple[str, ...] | None = None) -> bool:
    parsed = urlparse(text)
    if not parsed.scheme or (schemes is not None and parsed.scheme not in schemes):
        return False
    return bool(parsed.netloc or parsed.path)


def _address(path: str, text: str | None, fail: typing.Callable[[str, str], None]
             ) -> ipaddress.IPv4Address | None:
    if text is None:
        return None
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        fail(path, f"not an IPv4 address: {text!r}")
        return None


def _range(path: str, gateway: str, netmask: str, start: str, end: str | None,
           fail: typing.Callable[[str, str], None]) -> None:
    gw = _address(f"{path}.gateway", gateway, fail)
    first = _address(f"{path}.startip", start, fail)
    last = _address(f"{path}.endip", end, fail)
    try:
        network = ipaddress.IPv4Network(f"{gateway}/{netmask}", strict=False)
    except ValueError:
        fail(f"{path}.netmask", f"not a netmask: {netmask!r}")
        return
    for key, address in (("gateway", gw), ("startip", first), ("endip", last)):
        if address is not None and address not in network:
            fail(f"{path}.{key}", f"{address} is outside {network}")
    if first is not None and last is not None and first > last:
        fail(f"{path}.endip", f"{last} comes before startip {first}")
    if gw is not None and first is not None and last is not None and first <= gw <= last:
        fail(f"{path}.gateway", f"{gw} lies inside the range {first}-{last}")
