"""Make a running Cirrus (or CloudStack) hold what a spec declares, through its API.

Each object is looked up by name with a server-side filter (`listZones name=...`), created
when missing, updated when a mutable field differs, and otherwise left alone; every object
gets one outcome: created, updated, unchanged, or mismatch (an immutable field such as an
offering's CPU speed differs: reported, never changed, since VMs may be using it).  Nothing
is ever created twice, so applying one spec again changes nothing.

Templates are registered, then waited for until every zone's copy is Ready (`isready`),
with a deadline and the download status shown as it moves.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from appliance.client import Client, CloudStackError
from appliance.demo.spec import (
    ClusterSpec,
    DiskOfferingSpec,
    HostSpec,
    IpRangeSpec,
    PodSpec,
    PrimaryStorageSpec,
    SecondaryStorageSpec,
    ServiceOfferingSpec,
    Spec,
    TemplateSpec,
    ZoneSpec,
)

Action = Literal["created", "updated", "unchanged", "mismatch"]
ACTIONS: tuple[Action, ...] = ("created", "updated", "unchanged", "mismatch")
Log = Callable[[str], None]
# Template fields set by updateTemplatePermissions rather than updateTemplate.
_PERMISSIONS = frozenset({"ispublic", "isfeatured", "isextractable"})


class ApplyError(Exception):
    """The spec could not be applied; says which object and why."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # zone, pod, cluster, host, primary storage, ...
    name: str  # a path for nested objects: "Zone/Pod/Cluster"
    action: Action
    id: str
    changes: tuple[str, ...] = ()  # "field: old -> new" for updated and mismatch

    def line(self) -> str:
        detail = f" ({'; '.join(self.changes)})" if self.changes else ""
        return f"{self.action:9} {self.kind} {self.name}{detail}"


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def ids(self) -> dict[str, str]:
        """Object ids by name (paths for nested objects, plain names for the catalog)."""
        return {outcome.name: outcome.id for outcome in self.outcomes}

    def counts(self) -> dict[str, int]:
        counter = Counter(outcome.action for outcome in self.outcomes)
        return {action: counter[action] for action in ACTIONS}

    def summary(self) -> str:
        counts = self.counts()
        return ", ".join(f"{counts[action]} {action}" for action in ACTIONS
                         if counts[action] or action != "mismatch")

    @property
    def changed(self) -> bool:
        return any(o.action in ("created", "updated") for o in self.outcomes)


@dataclass(frozen=True)
class Field:
    """One declared value: its API parameter, the key the object's response uses for it,
    and whether an update command can change it."""

    param: str
    value: Any
    key: str | None = None
    mutable: bool = True

    @property
    def response_key(self) -> str:
        return self.key or self.param


def _same(actual: Any, wanted: Any) -> bool:
    if wanted is None:
        return True  # not declared: whatever the server has is fine
    return _text(actual) == _text(wanted)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


def _named(items: Iterable[dict[str, Any]], name: str, key: str = "name"
           ) -> dict[str, Any] | None:
    found = [item for item in items if item.get(key) == name]
    if len(found) > 1:
        raise ApplyError(f"{len(found)} objects are named {name!r} ({key}); "
                         "cannot tell which one the spec means")
    return found[0] if found else None


def _first(body: dict[str, Any], key: str, command: str) -> dict[str, Any]:
    """The object a create command answered, whether under `key` as an object or a list."""
    value = body.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict) or "id" not in value:
        raise ApplyError(f"{command} answered without a {key}: {str(body)[:300]}")
    return value


class Applier:
    """Applies specs through one API client; `log` receives a line per step."""

    def __init__(self, client: Client, *, log: Log | None = None,
                 template_timeout: float = 300.0, poll_interval: float = 1.0) -> None:
        self.client = client
        self.log: Log = log or (lambda line: None)
        self.template_timeout = template_timeout
        self.poll_interval = poll_interval

    # -- the walk ---------------------------------------------------------------------------

    def apply(self, spec: Spec) -> Report:
        report = Report()
        zone_ids: dict[str, str] = {}
        for zone in spec.zones:
            zone_ids[zone.name] = self._zone(zone, report)
        for offering in spec.service_offerings:
            self._service_offering(offering, report)
        for disk in spec.disk_offerings:
            self._disk_offering(disk, report)
        pending: list[tuple[str, str, str, str]] = []
        for template in spec.templates:
            pending.extend(self._template(spec, template, zone_ids, report))
        if pending:
            self._wait_ready(pending)
        return report

    def _zone(self, zone: ZoneSpec, report: Report) -> str:
        fields = [
            Field("networktype", zone.networktype, mutable=False),
            Field("dns1", zone.dns1), Field("dns2", zone.dns2),
            Field("internaldns1", zone.internaldns1), Field("internaldns2", zone.internaldns2),
            Field("guestcidraddress", zone.guestcidraddress), Field("vlan", zone.vlan),
            Field("domain", zone.domain),
            Field("securitygroupenabled", zone.securitygroupenabled,
                  key="securitygroupsenabled"),
            Field("localstorageenabled", zone.localstorageenabled),
            Field("allocationstate", zone.allocationstate),
        ]
        zone_id = self._ensure(
            report, "zone", zone.name, fields,
            find=lambda: _named(self.client.list("listZones", "zone", name=zone.name),
                                zone.name),
            create=lambda params: _first(self.client.call("createZone", name=zone.name,
                                                          **params), "zone", "createZone"),
            update=lambda obj_id, params: self.client.call("updateZone", id=obj_id, **params))
        pod_ids: dict[str, str] = {}
        for pod in zone.pods:
            pod_ids[pod.name] = self._pod(zone, zone_id, pod, report)
        for store in zone.secondary_storage:
            self._secondary_storage(zone, zone_id, store, report)
        for ip_range in zone.ip_ranges:
            self._ip_range(zone, zone_id, pod_ids, ip_range, report)
        return zone_id

    def _pod(self, zone: ZoneSpec, zone_id: str, pod: PodSpec, report: Report) -> str:
        path = f"{zone.name}/{pod.name}"
        fields = [Field("gateway", pod.gateway), Field("netmask", pod.netmask),
                  Field("startip", pod.startip), Field("endip", pod.endip)]
        pod_id = self._ensure(
            report, "pod", path, fields,
            find=lambda: _named(self.client.list("listPods", "pod", zoneid=zone_id,
                                                 name=pod.name), pod.name),
            create=lambda params: _first(self.client.call(
                "createPod", zoneid=zone_id, name=pod.name, **params), "pod", "createPod"),
            update=lambda obj_id, params: self.client.call("updatePod", id=obj_id, **params))
        for cluster in pod.clusters:
            self._cluster(path, zone_id, pod_id, cluster, report)
        return pod_id

    def _cluster(self, pod_path: str, zone_id: str, pod_id: str, cluster: ClusterSpec,
                 report: Report) -> str:
        path = f"{pod_path}/{cluster.name}"
        fields = [Field("hypervisor", cluster.hypervisor, key="hypervisortype",
                        mutable=False),
                  Field("clustertype", cluster.clustertype, mutable=False)]
        cluster_id = self._ensure(
            report, "cluster", path, fields,
            find=lambda: _named(self.client.list("listClusters", "cluster", zoneid=zone_id,
                                                 podid=pod_id, name=cluster.name),
                                cluster.name),
            create=lambda params: _first(self.client.call(
                "addCluster", zoneid=zone_id, podid=pod_id, clustername=cluster.name,
                **params), "cluster", "addCluster"),
            update=None)
        for host in cluster.hosts:
            self._host(path, zone_id, pod_id, cluster_id, cluster, host, report)
        for pool in cluster.primary_storage:
            self._primary_storage(path, zone_id, pod_id, cluster_id, pool, report)
        return cluster_id

    def _host(self, cluster_path: str, zone_id: str, pod_id: str, cluster_id: str,
              cluster: ClusterSpec, host: HostSpec, report: Report) -> str:
        name = host_name(host.url)
        fields = [Field("hosttags", host.hosttags)]
        return self._ensure(
            report, "host", f"{cluster_path}/{name}", fields,
            find=lambda: _named(self.client.list("listHosts", "host", type="Routing",
                                                 clusterid=cluster_id, name=name), name),
            create=lambda params: _first(self.client.call(
                "addHost", zoneid=zone_id, podid=pod_id, clusterid=cluster_id, url=host.url,
                username=host.username, password=host.password,
                hypervisor=cluster.hypervisor, **params), "host", "addHost"),
            update=lambda obj_id, params: self.client.call("updateHost", id=obj_id, **params))

    def _primary_storage(self, cluster_path: str, zone_id: str, pod_id: str, cluster_id: str,
                         pool: PrimaryStorageSpec, report: Report) -> str:
        fields = [Field("tags", pool.tags)]
        return self._ensure(
            report, "primary storage", f"{cluster_path}/{pool.name}", fields,
            find=lambda: _named(self.client.list("listStoragePools", "storagepool",
                                                 zoneid=zone_id, name=pool.name), pool.name),
            create=lambda params: _first(self.client.call(
                "createStoragePool", zoneid=zone_id, podid=pod_id, clusterid=cluster_id,
                name=pool.name, url=pool.url, **params), "storagepool", "createStoragePool"),
            update=lambda obj_id, params: self.client.call("updateStoragePool", id=obj_id,
                                                           **params))

    def _secondary_storage(self, zone: ZoneSpec, zone_id: str, store: SecondaryStorageSpec,
                           report: Report) -> str:
        fields = [Field("url", store.url, mutable=False),
                  Field("provider", store.provider, key="providername", mutable=False)]
        return self._ensure(
            report, "secondary storage", f"{zone.name}/{store.name}", fields,
            find=lambda: _named(self.client.list("listImageStores", "imagestore",
                                                 zoneid=zone_id, name=store.name), store.name),
            create=lambda params: _first(self.client.call(
                "addImageStore", zoneid=zone_id, name=store.name, **params),
                "imagestore", "addImageStore"),
            update=None)

    def _ip_range(self, zone: ZoneSpec, zone_id: str, pod_ids: dict[str, str],
                  ip_range: IpRangeSpec, report: Report) -> str:
        pod_id = pod_ids[ip_range.pod] if ip_range.pod else None
        name = f"{zone.name}/{ip_range.vlan}/{ip_range.startip}-{ip_range.endip}"
        fields = [Field("vlan", ip_range.vlan, mutable=False),
                  Field("gateway", ip_range.gateway, mutable=False),
                  Field("netmask", ip_range.netmask, mutable=False),
                  Field("forvirtualnetwork", ip_range.forvirtualnetwork, mutable=False),
                  Field("podid", pod_id, mutable=False)]

        def find() -> dict[str, Any] | None:
            # CloudStack lists them under "vlaniprange"; accept "vlan" (its create key) too.
            ranges = self.client.list("listVlanIpRanges", ("vlaniprange", "vlan"),
                                      zoneid=zone_id)
            same = [r for r in ranges if r.get("startip") == ip_range.startip
                    and r.get("endip") == ip_range.endip]
            return same[0] if same else None

        return self._ensure(
            report, "ip range", name, fields, find=find,
            create=lambda params: _first(self.client.call(
                "createVlanIpRange", zoneid=zone_id, startip=ip_range.startip,
                endip=ip_range.endip, **params), "vlan", "createVlanIpRange"),
            update=None)

    def _service_offering(self, offering: ServiceOfferingSpec, report: Report) -> str:
        fields = [
            Field("displaytext", offering.displaytext or offering.name),
            Field("cpunumber", offering.cpunumber, mutable=False),
            Field("cpuspeed", offering.cpuspeed, mutable=False),
            Field("memory", offering.memory, mutable=False),
            Field("storagetype", offering.storagetype, mutable=False),
            Field("offerha", offering.offerha, mutable=False),
            Field("limitcpuuse", offering.limitcpuuse, mutable=False),
            Field("tags", offering.tags, mutable=False),
            Field("hosttags", offering.hosttags, mutable=False),
        ]
        return self._ensure(
            report, "service offering", offering.name, fields,
            find=lambda: _named(self.client.list("listServiceOfferings", "serviceoffering",
                                                 name=offering.name), offering.name),
            create=lambda params: _first(self.client.call(
                "createServiceOffering", name=offering.name, **params), "serviceoffering",
                "createServiceOffering"),
            update=lambda obj_id, params: self.client.call("updateServiceOffering",
                                                           id=obj_id, **params))

    def _disk_offering(self, disk: DiskOfferingSpec, report: Report) -> str:
        fields = [
            Field("displaytext", disk.displaytext or disk.name),
            Field("disksize", disk.disksize, mutable=False),
            Field("customized", disk.customized, key="iscustomized", mutable=False),
            Field("storagetype", disk.storagetype, mutable=False),
            Field("tags", disk.tags, mutable=False),
        ]
        return self._ensure(
            report, "disk offering", disk.name, fields,
            find=lambda: _named(self.client.list("listDiskOfferings", "diskoffering",
                                                 name=disk.name), disk.name),
            create=lambda params: _first(self.client.call(
                "createDiskOffering", name=disk.name, **params), "diskoffering",
                "createDiskOffering"),
            update=lambda obj_id, params: self.client.call("updateDiskOffering", id=obj_id,
                                                           **params))

    def _template(self, spec: Spec, template: TemplateSpec, zone_ids: dict[str, str],
                  report: Report) -> list[tuple[str, str, str, str]]:
        """One template with a copy in each of its zones; (id, zone id, name, zone) to wait on.

        Without `zones` in the spec it is registered once for all zones (`zoneid=-1`, a
        cross-zone template, like CloudStack's own simulator template); with `zones`, in the
        first one and copied (copyTemplate) to the others once that copy is Ready.  A zone
        that lacks its copy later gets one by copyTemplate too.
        """
        wanted = [(name, zone_ids.get(name) or self._zone_id(name))
                  for name in spec.template_zones(template)]
        ostype_id = self._ostype(template.ostype)
        fields = [Field("displaytext", template.displaytext or template.name),
                  Field("ostypeid", ostype_id),
                  Field("passwordenabled", template.passwordenabled),
                  Field("ispublic", template.ispublic), Field("isfeatured", template.isfeatured),
                  Field("isextractable", template.isextractable),
                  Field("format", template.format, mutable=False),
                  Field("hypervisor", template.hypervisor, mutable=False)]

        def find() -> dict[str, Any] | None:
            copies = self._copies(template.name)
            ids = {copy["id"] for copy in copies}
            if len(ids) > 1:
                raise ApplyError(f"{len(ids)} templates are named {template.name!r}; cannot "
                                 "tell which one the spec means")
            return copies[0] if copies else None

        def create(params: dict[str, Any]) -> dict[str, Any]:
            zone_id = "-1" if template.zones is None else wanted[0][1]
            return _first(self.client.call(
                "registerTemplate", name=template.name, url=template.url, zoneid=zone_id,
                requireshvm=template.requireshvm, checksum=template.checksum, **params),
                "template", "registerTemplate")

        def update(obj_id: str, params: dict[str, Any]) -> None:
            perms = {k: v for k, v in params.items() if k in _PERMISSIONS}
            attrs = {k: v for k, v in params.items() if k not in _PERMISSIONS}
            if attrs:
                self.client.call("updateTemplate", id=obj_id, **attrs)
            if perms:
                self.client.call("updateTemplatePermissions", id=obj_id, **perms)

        template_id = self._ensure(report, "template", template.name, fields, find=find,
                                   create=create, update=update)
        existing = [(str(copy.get("zonename")), str(copy["zoneid"]))
                    for copy in self._copies(template.name) if copy.get("zoneid")]
        present = {zone_id for _, zone_id in existing}
        for zone_name, zone_id in wanted:
            if zone_id in present:
                continue
            # Any zone holding the template will do as the source, in this spec or not.
            source = self._ready_copy(template_id, template.name, existing)
            try:
                self.client.request("copyTemplate", {"id": template_id,
                                                     "sourcezoneid": source,
                                                     "destzoneid": zone_id})
            except CloudStackError as error:
                raise ApplyError(f"template {template.name}: copy to zone {zone_name}: "
                                 f"{error}") from error
            outcome = Outcome("template copy", f"{zone_name}/{template.name}", "created",
                              template_id)
            report.outcomes.append(outcome)
            self.log(outcome.line())
        return [(template_id, zone_id, template.name, zone_name) for zone_name, zone_id in wanted]

    def _copies(self, name: str) -> list[dict[str, Any]]:
        """Every zone's copy of the templates named `name` (one entry per zone)."""
        return [copy for copy in self.client.list("listTemplates", "template",
                                                  templatefilter="all", name=name)
                if copy.get("name") == name]

    def _ready_copy(self, template_id: str, name: str, zones: list[tuple[str, str]]) -> str:
        """The id of a zone (of `zones`: name, id) holding a Ready copy of the template,
        waiting for the first copy found to become Ready."""
        for zone_name, zone_id in zones:
            copies = self.client.list("listTemplates", "template", templatefilter="all",
                                      id=template_id, zoneid=zone_id)
            if copies:
                self._wait_ready([(template_id, zone_id, name, zone_name)])
                return zone_id
        raise ApplyError(f"template {name!r} has no copy in any of its zones to copy from")

    def _ostype(self, description: str) -> str:
        found = _named(self.client.list("listOsTypes", "ostype", description=description),
                       description, key="description")
        if found is None:
            raise ApplyError(f"no OS type {description!r} (see listOsTypes)")
        return str(found["id"])

    def _zone_id(self, name: str) -> str:
        found = _named(self.client.list("listZones", "zone", name=name), name)
        if found is None:
            raise ApplyError(f"zone {name!r} not found (neither in the spec nor on the "
                             "server)")
        return str(found["id"])

    # -- templates becoming Ready -----------------------------------------------------------

    def _wait_ready(self, pending: list[tuple[str, str, str, str]]) -> None:
        deadline = time.monotonic() + self.template_timeout
        last: dict[tuple[str, str], str] = {}
        waiting = list(pending)
        while waiting:
            still: list[tuple[str, str, str, str]] = []
            for template_id, zone_id, name, zone_name in waiting:
                found = self.client.list("listTemplates", "template", templatefilter="all",
                                         id=template_id, zoneid=zone_id)
                copy = found[0] if found else {}
                status = str(copy.get("status") or "not registered in the zone yet")
                if copy.get("isready"):
                    self.log(f"template {name} is Ready in {zone_name}")
                    continue
                if last.get((template_id, zone_id)) != status:
                    self.log(f"template {name} in {zone_name}: {status}")
                    last[(template_id, zone_id)] = status
                if _failed(status):
                    raise ApplyError(f"template {name!r} failed to download in zone "
                                     f"{zone_name}: {status}")
                still.append((template_id, zone_id, name, zone_name))
            waiting = still
            if not waiting:
                return
            if time.monotonic() >= deadline:
                states = "; ".join(f"{name} in {zone}: {last.get((tid, zid), '?')}"
                                   for tid, zid, name, zone in waiting)
                raise ApplyError(f"templates not Ready after {self.template_timeout:.0f} s: "
                                 f"{states}")
            time.sleep(self.poll_interval)

    # -- one object -------------------------------------------------------------------------

    def _ensure(self, report: Report, kind: str, name: str, fields: list[Field], *,
                find: Callable[[], dict[str, Any] | None],
                create: Callable[[dict[str, Any]], dict[str, Any]],
                update: Callable[[str, dict[str, Any]], Any] | None) -> str:
        try:
            current = find()
            if current is None:
                params = {f.param: f.value for f in fields if f.value is not None}
                created = create(params)
                outcome = Outcome(kind, name, "created", str(created["id"]))
            else:
                outcome = self._reconcile(kind, name, current, fields, update)
        except CloudStackError as error:
            raise ApplyError(f"{kind} {name}: {error}") from error
        report.outcomes.append(outcome)
        self.log(outcome.line())
        return outcome.id

    def _reconcile(self, kind: str, name: str, current: dict[str, Any], fields: list[Field],
                   update: Callable[[str, dict[str, Any]], Any] | None) -> Outcome:
        obj_id = str(current["id"])
        differ = [f for f in fields if not _same(current.get(f.response_key), f.value)]
        fixed = [f for f in differ if f.mutable and update is not None]
        stuck = [f for f in differ if f not in fixed]

        def change(f: Field) -> str:
            return f"{f.param}: {current.get(f.response_key)!r} -> {f.value!r}"

        if fixed:
            assert update is not None
            update(obj_id, {f.param: f.value for f in fixed})
        if stuck:
            return Outcome(kind, name, "mismatch", obj_id,
                           tuple(change(f) + " (cannot be changed)" for f in stuck)
                           + tuple(change(f) for f in fixed))
        if fixed:
            return Outcome(kind, name, "updated", obj_id, tuple(change(f) for f in fixed))
        return Outcome(kind, name, "unchanged", obj_id)


# Statuses of a template copy still on its way (CloudStack's texts: "Processing", "35%
# Downloaded", "Installing Template", ...); any other status of a copy that is not Ready is
# the download's error message.
_IN_PROGRESS = re.compile(r"^(processing|\d+% downloaded|installing.*|download(ed| complete)|"
                          r"downloading.*|copying.*|not downloaded|.*in progress.*|"
                          r"not registered in the zone yet)$", re.IGNORECASE)


def _failed(status: str) -> bool:
    return not _IN_PROGRESS.match(status.strip())


def host_name(url: str) -> str:
    """The name addHost gives the host at `url`: the last segment of the URL's path
    (`http://sim/h1?cpus=8` -> `h1`), else its host name."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path.strip("/").split("/")[-1] or parts.hostname or url
