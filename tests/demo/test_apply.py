"""Applying specs/simulator.yaml to a live server builds the sandbox; applying it again
changes nothing; a changed spec updates what can change and reports what cannot."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest
import yaml

from appliance.client import CloudStackError
from appliance.demo.apply import ApplyError, Report
from tests.support import datacenter
from tests.support.cloud import Cloud

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIMULATOR = os.path.join(REPO, "specs", "simulator.yaml")
ADVANCED, BASIC = "Sandbox-simulator-advanced", "Sandbox-simulator-basic"
TEMPLATE = "CentOS 5.6 (64-bit) no GUI (Simulator)"

# What each list command is counted by, for "applying again created nothing".
LISTS = {
    "zone": ("listZones", {}), "pod": ("listPods", {}), "cluster": ("listClusters", {}),
    "host": ("listHosts", {"type": "Routing"}), "storagepool": ("listStoragePools", {}),
    "imagestore": ("listImageStores", {}), "vlaniprange": ("listVlanIpRanges", {}),
    "serviceoffering": ("listServiceOfferings", {}),
    "diskoffering": ("listDiskOfferings", {}),
    "template": ("listTemplates", {"templatefilter": "all"}),
}


def listed(cloud: Cloud, command: str, key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = getattr(cloud.admin, command)(**params).get(key, [])
    return items


def ip_ranges(cloud: Cloud, zone_id: str) -> list[dict[str, Any]]:
    """listVlanIpRanges of a zone (under CloudStack's key, or the create command's)."""
    answer = cloud.admin.listVlanIpRanges(zoneid=zone_id)
    items: list[dict[str, Any]] = answer.get("vlaniprange", answer.get("vlan", []))
    return items


def inventory(cloud: Cloud) -> dict[str, int]:
    counts = {key: len(listed(cloud, command, key, **params))
              for key, (command, params) in LISTS.items() if key != "vlaniprange"}
    counts["vlaniprange"] = sum(len(ip_ranges(cloud, zone["id"]))
                                for zone in listed(cloud, "listZones", "zone"))
    return counts


@pytest.fixture(scope="module")
def first(cloud: Cloud) -> tuple[Report, dict[str, int]]:
    before = inventory(cloud)
    lines: list[str] = []
    report = datacenter.apply(cloud, SIMULATOR, log=lines.append)
    assert any("is Ready in" in line for line in lines), lines  # progress was shown
    return report, before


def test_first_apply_creates_the_sandbox(first: tuple[Report, dict[str, int]],
                                         cloud: Cloud) -> None:
    report, before = first
    assert {o.action for o in report.outcomes} == {"created"}, report.outcomes
    kinds = Counter(o.kind for o in report.outcomes)
    assert kinds == {"zone": 2, "pod": 2, "cluster": 2, "host": 4, "primary storage": 2,
                     "secondary storage": 2, "ip range": 2, "service offering": 2,
                     "disk offering": 2, "template": 1}
    after = inventory(cloud)
    assert after["zone"] - before["zone"] == 2 and after["host"] - before["host"] == 4


def test_the_sandbox_is_listed(first: tuple[Report, dict[str, int]], cloud: Cloud) -> None:
    ids = first[0].ids()
    zones = {z["name"]: z for z in listed(cloud, "listZones", "zone")}
    assert zones[ADVANCED]["networktype"] == "Advanced"
    assert zones[BASIC]["networktype"] == "Basic"
    for name in (ADVANCED, BASIC):
        zone_id = zones[name]["id"]
        assert ids[name] == zone_id
        (pod,) = listed(cloud, "listPods", "pod", zoneid=zone_id)
        assert pod["name"] == "POD0" and pod["netmask"] == "255.255.255.0"
        (cluster,) = listed(cloud, "listClusters", "cluster", zoneid=zone_id)
        assert cluster["hypervisortype"] == "Simulator"
        hosts = listed(cloud, "listHosts", "host", zoneid=zone_id, type="Routing")
        assert len(hosts) == 2
        for host in hosts:
            assert host["state"] == "Up" and host["clusterid"] == cluster["id"]
            assert (host["cpunumber"], host["cpuspeed"]) == (8, 2000)
            assert host["memorytotal"] == 16384 * 1024**2
        (pool,) = listed(cloud, "listStoragePools", "storagepool", zoneid=zone_id)
        assert pool["name"] == "PS0" and pool["clusterid"] == cluster["id"]
        (store,) = listed(cloud, "listImageStores", "imagestore", zoneid=zone_id)
        assert store["url"] == f"file://{cloud.server.home}/secondary/{name}"
        (template,) = listed(cloud, "listTemplates", "template", templatefilter="featured",
                             name=TEMPLATE, zoneid=zone_id)
        assert template["isready"] is True and template["ispublic"] is True
        assert template["ostypename"] == "CentOS 5.6 (64-bit)"
        assert (template["hypervisor"], template["format"]) == ("Simulator", "QCOW2")
    (public,) = ip_ranges(cloud, zones[ADVANCED]["id"])
    assert (public["vlan"], public["startip"], public["endip"]) == (
        "50", "192.0.2.10", "192.0.2.250")
    assert public["forvirtualnetwork"] is True
    (guest,) = ip_ranges(cloud, zones[BASIC]["id"])
    assert guest["forvirtualnetwork"] is False and guest["podname"] == "POD0"
    offerings = {o["name"]: (o["cpunumber"], o["cpuspeed"], o["memory"])
                 for o in listed(cloud, "listServiceOfferings", "serviceoffering")}
    assert offerings["Small Instance"] == (1, 500, 512)
    assert offerings["Medium Instance"] == (1, 1000, 1024)
    disks = {d["name"]: d for d in listed(cloud, "listDiskOfferings", "diskoffering")}
    assert disks["Small"]["disksize"] == 5 and disks["Custom"]["iscustomized"] is True


def test_vlan_ranges_are_listed_under_cloudstacks_key(
        first: tuple[Report, dict[str, int]], cloud: Cloud) -> None:
    """CloudStack answers listVlanIpRanges with `vlaniprange` items (createVlanIpRange with
    `vlan`); ngine_io.cloudstack's cs_vlan_ip_range reads `res['vlaniprange']`."""
    (zone,) = listed(cloud, "listZones", "zone", name=ADVANCED)
    answer = cloud.admin.listVlanIpRanges(zoneid=zone["id"])
    assert [r["startip"] for r in answer.get("vlaniprange", [])] == ["192.0.2.10"], answer


def test_the_template_was_downloaded_into_secondary_storage(
        first: tuple[Report, dict[str, int]], cloud: Cloud) -> None:
    for zone in (ADVANCED, BASIC):
        root = os.path.join(cloud.server.home, "secondary", zone)
        images = []
        for folder, _, files in os.walk(root):
            for name in files:
                with open(os.path.join(folder, name), "rb") as handle:
                    if handle.read(4) == b"QFI\xfb":
                        images.append(name)
        assert images, f"no qcow2 image under {root}"


def test_applying_again_changes_nothing(first: tuple[Report, dict[str, int]],
                                        cloud: Cloud) -> None:
    before = inventory(cloud)
    again = datacenter.apply(cloud, SIMULATOR)
    assert [o.action for o in again.outcomes] == ["unchanged"] * len(first[0].outcomes), [
        o.line() for o in again.outcomes if o.action != "unchanged"]
    assert again.ids() == first[0].ids()
    assert inventory(cloud) == before


def test_changes_update_what_can_change_and_report_the_rest(
        first: tuple[Report, dict[str, int]], cloud: Cloud) -> None:
    with open(SIMULATOR) as handle:
        original = yaml.safe_load(handle)
    changed = copy.deepcopy(original)
    changed["zones"][0]["dns2"] = "203.0.113.54"
    changed["zones"][0]["pods"][0]["endip"] = "172.16.15.199"
    changed["service_offerings"][0]["displaytext"] = "Small, renamed"
    changed["service_offerings"][1]["cpuspeed"] = 1200  # immutable
    changed["templates"][0]["isfeatured"] = False
    before = inventory(cloud)
    report = datacenter.apply(cloud, changed)
    actions = {o.name: o.action for o in report.outcomes if o.action != "unchanged"}
    assert actions == {ADVANCED: "updated", f"{ADVANCED}/POD0": "updated",
                       "Small Instance": "updated", "Medium Instance": "mismatch",
                       TEMPLATE: "updated"}, actions
    (zone,) = listed(cloud, "listZones", "zone", name=ADVANCED)
    assert zone["dns2"] == "203.0.113.54"
    (pod,) = listed(cloud, "listPods", "pod", zoneid=zone["id"])
    assert pod["endip"] == "172.16.15.199"
    small = listed(cloud, "listServiceOfferings", "serviceoffering", name="Small Instance")
    assert small[0]["displaytext"] == "Small, renamed"
    medium = listed(cloud, "listServiceOfferings", "serviceoffering", name="Medium Instance")
    assert medium[0]["cpuspeed"] == 1000  # reported, never changed
    (template,) = listed(cloud, "listTemplates", "template", templatefilter="all",
                         name=TEMPLATE, zoneid=zone["id"])
    assert template["isfeatured"] is False
    assert inventory(cloud) == before
    restored = datacenter.apply(cloud, original)
    assert {o.name for o in restored.outcomes if o.action == "updated"} == {
        f"{ADVANCED}/POD0", "Small Instance", TEMPLATE}  # dns2 stays: the spec leaves it


def test_template_for_listed_zones_is_copied_between_them(
        first: tuple[Report, dict[str, int]], cloud: Cloud) -> None:
    template = {"name": "copied", "url": "${CIRRUS_URL}/demo/templates/"
                "centos56-x86_64-simulator.qcow2", "ostype": "CentOS 5.6 (64-bit)",
                "hypervisor": "Simulator", "format": "QCOW2", "zones": [ADVANCED, BASIC]}
    report = datacenter.apply(cloud, {"templates": [template]})
    assert [(o.kind, o.name, o.action) for o in report.outcomes] == [
        ("template", "copied", "created"),
        ("template copy", f"{BASIC}/copied", "created")]
    copies = listed(cloud, "listTemplates", "template", templatefilter="all", name="copied")
    assert sorted(c["zonename"] for c in copies) == [ADVANCED, BASIC]
    assert all(c["isready"] for c in copies) and {c["id"] for c in copies} == {
        report.ids()["copied"]}
    again = datacenter.apply(cloud, {"templates": [template]})
    assert [o.action for o in again.outcomes] == ["unchanged"]


def test_a_template_reaches_a_zone_of_a_later_spec(first: tuple[Report, dict[str, int]],
                                                   cloud: Cloud) -> None:
    """The copy's source may be a zone the new spec does not mention."""
    template = {"name": "later", "url": "${CIRRUS_URL}/demo/templates/"
                "centos56-x86_64-simulator.qcow2", "ostype": "CentOS 5.6 (64-bit)",
                "hypervisor": "Simulator", "format": "QCOW2", "zones": [ADVANCED]}
    datacenter.apply(cloud, {"templates": [template]})
    report = datacenter.apply(cloud, {"templates": [{**template, "zones": [BASIC]}]})
    assert ("template copy", f"{BASIC}/later", "created") in [
        (o.kind, o.name, o.action) for o in report.outcomes]
    copies = listed(cloud, "listTemplates", "template", templatefilter="all", name="later")
    assert sorted(c["zonename"] for c in copies) == [ADVANCED, BASIC]


def test_a_failed_download_stops_the_wait_with_its_error(
        first: tuple[Report, dict[str, int]], cloud: Cloud) -> None:
    template = {"name": "broken", "url": "${CIRRUS_URL}/demo/templates/missing.qcow2",
                "ostype": "CentOS 5.6 (64-bit)", "hypervisor": "Simulator", "format": "QCOW2",
                "zones": [ADVANCED]}
    started = time.monotonic()
    with pytest.raises(ApplyError, match=f"template 'broken' failed to download in zone "
                                         f"{ADVANCED}: .*404"):
        datacenter.apply(cloud, {"templates": [template]}, template_timeout=50)
    assert time.monotonic() - started < 30  # the error ended the wait, not the deadline


def test_tiny_datacenter_in_one_call(cloud: Cloud) -> None:
    ids = datacenter.build(cloud)
    (zone,) = listed(cloud, "listZones", "zone", id=ids[datacenter.ZONE])
    assert zone["name"] == "tiny"
    hosts = listed(cloud, "listHosts", "host", clusterid=ids[datacenter.CLUSTER])
    assert {h["id"] for h in hosts} == {ids[name] for name in datacenter.HOSTS}
    (template,) = listed(cloud, "listTemplates", "template", templatefilter="all",
                         id=ids[datacenter.TEMPLATE], zoneid=zone["id"])
    assert template["isready"] is True
    offering = listed(cloud, "listServiceOfferings", "serviceoffering",
                      id=ids[datacenter.OFFERING])
    assert offering[0]["name"] == "tiny-offering"
    assert datacenter.build(cloud) == ids


def test_cirrus_apply_command(cloud: Cloud) -> None:
    datacenter.build(cloud)
    env = dict(os.environ, CLOUDSTACK_KEY=cloud.admin_key, CLOUDSTACK_SECRET=cloud.admin_secret,
               CIRRUS_HOME=cloud.server.home)
    done = subprocess.run(
        [sys.executable, "-m", "appliance.cli", "apply", "--spec", datacenter.TINY,
         "--endpoint", cloud.endpoint, "--json"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "unchanged zone tiny" in done.stdout
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["counts"]["created"] == 0 and result["counts"]["unchanged"] > 5
    assert result["ids"]["tiny"] == listed(cloud, "listZones", "zone", name="tiny")[0]["id"]
    bad = subprocess.run(
        [sys.executable, "-m", "appliance.cli", "apply", "--spec", datacenter.TINY,
         "--endpoint", cloud.endpoint, "--secret-key", "wrong"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert bad.returncode == 1 and "errorcode 401" in bad.stderr


def test_client_errors_carry_the_cloudstack_code(cloud: Cloud) -> None:
    client = datacenter.client(cloud)
    with pytest.raises(CloudStackError) as caught:
        client.call("createZone", name="no-dns")
    assert caught.value.errorcode == 431 and "missing parameter" in caught.value.errortext
    assert client.list("listZones", "zone", name="no such zone") == []
    names = {zone["name"] for zone in client.list("listZones", "zone", pagesize=1)}
    assert {ADVANCED, BASIC} <= names  # every page was read


def test_vms_run_in_the_built_zones(first: tuple[Report, dict[str, int]],
                                    cloud: Cloud) -> None:
    """What the specs are for: a VM from the offering and template runs in each zone."""
    sandbox = first[0].ids()
    tiny = datacenter.build(cloud)
    for zone, offering, template in (
            (sandbox[ADVANCED], sandbox["Small Instance"], sandbox[TEMPLATE]),
            (sandbox[BASIC], sandbox["Medium Instance"], sandbox[TEMPLATE]),
            (tiny[datacenter.ZONE], tiny[datacenter.OFFERING], tiny[datacenter.TEMPLATE])):
        vm = cloud.admin.deployVirtualMachine(zoneid=zone, serviceofferingid=offering,
                                              templateid=template,
                                              fetch_result=True)["virtualmachine"]
        assert (vm["state"], vm["zoneid"]) == ("Running", zone)
