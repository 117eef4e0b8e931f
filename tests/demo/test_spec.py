"""The spec loader: typed dataclasses from YAML, each mistake named by its key path."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest

from appliance.demo import spec
from appliance.demo.spec import SpecError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VARIABLES = {"CIRRUS_HOME": "/srv/cirrus", "CIRRUS_URL": "http://127.0.0.1:8080"}

ZONE: dict[str, Any] = {
    "name": "z1", "networktype": "Advanced", "dns1": "203.0.113.53",
    "internaldns1": "172.16.0.53",
    "pods": [{"name": "p1", "gateway": "172.16.15.1", "netmask": "255.255.255.0",
              "startip": "172.16.15.10", "endip": "172.16.15.20",
              "clusters": [{"name": "c1", "hosts": [{"url": "http://sim/h1?cpus=2"}],
                            "primary_storage": [{"name": "ps1",
                                                 "url": "nfs://203.0.113.10/p"}]}]}],
    "secondary_storage": [{"name": "ss1", "url": "file://${CIRRUS_HOME}/secondary/z1"}],
    "ip_ranges": [{"vlan": 50, "gateway": "192.0.2.1", "netmask": "255.255.255.0",
                   "startip": "192.0.2.10", "endip": "192.0.2.20"}],
}
GOOD: dict[str, Any] = {
    "zones": [ZONE],
    "service_offerings": [{"name": "Small Instance", "cpunumber": 1, "cpuspeed": 500,
                           "memory": 512}],
    "disk_offerings": [{"name": "Small", "disksize": 5}, {"name": "Any", "customized": True}],
    "templates": [{"name": "t1", "url": "${CIRRUS_URL}/demo/templates/x.qcow2",
                   "ostype": "CentOS 5.6 (64-bit)", "hypervisor": "Simulator",
                   "format": "QCOW2"}],
}


def problems(data: dict[str, Any], variables: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(SpecError) as caught:
        spec.parse(data, VARIABLES if variables is None else variables, source="t.yaml")
    assert str(caught.value).startswith("t.yaml: ")
    return caught.value.problems


def edited(path: str, value: Any) -> dict[str, Any]:
    """GOOD with the value at a dotted path (list indexes as numbers) replaced or deleted."""
    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    key: int | str = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return data


DELETE = object()


def test_good_spec_becomes_typed_objects_with_variables_expanded() -> None:
    loaded = spec.parse(GOOD, VARIABLES)
    zone = loaded.zones[0]
    assert zone.networktype == "Advanced"
    assert zone.pods[0].clusters[0].hypervisor == "Simulator"  # the default
    assert zone.pods[0].clusters[0].hosts[0].url == "http://sim/h1?cpus=2"
    assert zone.secondary_storage[0].url == "file:///srv/cirrus/secondary/z1"
    assert zone.ip_ranges[0].vlan == "50"  # a YAML number where a string is meant
    assert loaded.templates[0].url == "http://127.0.0.1:8080/demo/templates/x.qcow2"
    assert loaded.template_zones(loaded.templates[0]) == ["z1"]
    assert loaded.service_offerings[0].storagetype == "shared"


def test_the_demo_spec_declares_the_sandbox() -> None:
    loaded = spec.load(os.path.join(REPO, "specs", "simulator.yaml"), VARIABLES)
    assert {z.name: z.networktype for z in loaded.zones} == {
        "Sandbox-simulator-advanced": "Advanced", "Sandbox-simulator-basic": "Basic"}
    for zone in loaded.zones:
        assert zone.pods and zone.secondary_storage
        cluster = zone.pods[0].clusters[0]
        assert cluster.hypervisor == "Simulator" and len(cluster.hosts) >= 2
        assert cluster.primary_storage
        assert zone.secondary_storage[0].url == f"file:///srv/cirrus/secondary/{zone.name}"
    offerings = {o.name: (o.cpunumber, o.cpuspeed, o.memory) for o in loaded.service_offerings}
    assert offerings == {"Small Instance": (1, 500, 512), "Medium Instance": (1, 1000, 1024)}
    (template,) = loaded.templates
    assert template.name == "CentOS 5.6 (64-bit) no GUI (Simulator)"
    assert (template.ostype, template.hypervisor, template.format) == (
        "CentOS 5.6 (64-bit)", "Simulator", "QCOW2")
    assert template.ispublic and template.isfeatured
    assert template.url.startswith("http://127.0.0.1:8080/demo/templates/")


def test_tiny_spec_loads() -> None:
    loaded = spec.load(os.path.join(REPO, "tests", "support", "specs", "tiny.yaml"), VARIABLES)
    assert len(loaded.zones) == 1 and len(loaded.zones[0].pods[0].clusters[0].hosts) == 2


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("zones.0.pods.0.gateway", DELETE, "zones[0].pods[0].gateway: required"),
    ("zones.0.networktype", "basic",
     "zones[0].networktype: must be one of Basic, Advanced, got 'basic'"),
    ("zones.0.pods.0.netmsk", "255.0.0.0", "zones[0].pods[0].netmsk: unknown key"),
    ("service_offerings.0.cpuspeed", "fast",
     "service_offerings[0].cpuspeed: must be a whole number >= 0, got 'fast'"),
    ("service_offerings.0.memory", True, "service_offerings[0].memory: must be a whole number"),
    ("templates.0.ispublic", "yes", "templates[0].ispublic: must be true or false, got 'yes'"),
    ("zones.0.pods", {"name": "p1"}, "zones[0].pods: must be a list, got a mapping"),
    ("zones.0.pods.0.clusters.0.hosts.0", "http://sim/h1",
     "zones[0].pods[0].clusters[0].hosts[0]: must be a mapping of keys, got the string"),
    ("zones.0.dns1", "8.8.8", "zones[0].dns1: not an IPv4 address: '8.8.8'"),
    ("zones.0.pods.0.endip", "10.0.0.5", "zones[0].pods[0].endip: 10.0.0.5 is outside"),
    ("zones.0.pods.0.startip", "172.16.15.30",
     "zones[0].pods[0].endip: 172.16.15.20 comes before startip 172.16.15.30"),
    ("zones.0.pods.0.gateway", "172.16.15.12", "zones[0].pods[0].gateway: 172.16.15.12 lies "
     "inside the range"),
    ("zones.0.ip_ranges.0.netmask", "255.255.0.300", "zones[0].ip_ranges[0].netmask: not a"),
    ("zones.0.ip_ranges.0.pod", "nope", "zones[0].ip_ranges[0].pod: no pod 'nope' in zone"),
    ("zones.0.pods.0.clusters.0.hosts.0.url", "sim/h1",
     "zones[0].pods[0].clusters[0].hosts[0].url: must be an http:// URL"),
    ("zones.0.guestcidraddress", "10.1.1.1/24", "zones[0].guestcidraddress: not a network"),
    ("disk_offerings.1.disksize", 10, "disk_offerings[1]: give either disksize"),
    ("templates.0.format", "qcow", "templates[0].format: must be one of QCOW2"),
    ("templates.0.url", "${NOWHERE}/x.qcow2", "templates[0].url: ${NOWHERE} is not defined"),
    ("zones.0.secondary_storage.0.url", "not a url",
     "zones[0].secondary_storage[0].url: must be a URL"),
    ("zones", [ZONE, ZONE], "zones[1].name: duplicate name 'z1'"),
])
def test_each_mistake_names_its_key(path: str, value: Any, expected: str) -> None:
    found = problems(edited(path, value))
    assert any(problem.startswith(expected) for problem in found), found


def test_all_problems_are_reported_at_once() -> None:
    data = edited("zones.0.networktype", "Other")
    data["service_offerings"][0]["cpus"] = 2
    found = problems(data)
    assert "zones[0].networktype: must be one of Basic, Advanced, got 'Other'" in found
    assert any(p.startswith("service_offerings[0].cpus: unknown key (expected one of: ")
               for p in found)


def test_top_level_must_be_a_mapping_and_dollar_dollar_escapes() -> None:
    assert problems([1, 2]) == ["(top level): must be a mapping of keys, got a list"]  # type: ignore[arg-type]
    data = edited("zones.0.domain", "$${LITERAL}")
    assert spec.parse(data, VARIABLES).zones[0].domain == "${LITERAL}"


def test_file_errors_name_the_file(tmp_path: Any) -> None:
    with pytest.raises(SpecError, match="cannot read the file"):
        spec.load(str(tmp_path / "missing.yaml"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("zones: [\n")
    with pytest.raises(SpecError, match=r"(?s)broken.yaml: .*not valid YAML"):
        spec.load(str(broken))
