"""The collection's modules through real `ansible-playbook` runs against a live server.

For each module: check mode reports the creation and creates nothing, create, create again
(unchanged), check mode shows the update's diff and changes nothing, update, the _info
module shows the new values, remove in check mode, remove, remove again (unchanged).
Failures must carry the API's error code or say what cannot be done.

Five independent chains run as five inventory hosts in one playbook with the free
strategy, so they proceed in parallel: infrastructure; secondary storage, ranges,
offerings, templates and settings; identity, VPN users and security groups; and the tenant
side, on a simulator zone with a Ready template (tests/support/specs/tiny.yaml, built
before the run) for an account made before the run: compute (network, instance, volume,
snapshot and a template made from it, snapshot policy, ISO) and edge (router, public IP,
static NAT, firewall, port forwarding, load balancing, remote access VPN). A test-only
callback records every task's result and how long it took.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from tests.support import datacenter
from tests.support.cloud import Cloud
from tests.support.module_scenarios import (
    ANY,
    Chains,
    Results,
    Scenario,
    Step,
    check_lifecycle,
    check_step,
    result,
    run_playbook,
    task,
    write_local_inventory,
    write_playbook,
)

ZONE, ZONE_B, DOMAIN = "ans-zone", "ans-zone-b", "ROOT/ans-dom"
HOST_URL = "http://sim/ans-h1?cpus=4&cpuspeed=2000&memory=8192"
# The tenant side: the tiny simulator zone, its template and offerings, two more
# offerings, and an account whose objects the admin manages (account/domain options).
TINY, TEMPLATE, OFFERING = datacenter.ZONE, datacenter.TEMPLATE, datacenter.OFFERING
BIG, CUSTOM, TENANT = "ans-big", "ans-custom", "ans-tenant"
OS_TYPE = "CentOS 5.6 (64-bit)"
IMAGE = "/demo/templates/centos56-x86_64-simulator.qcow2"  # served by the server itself
GIB = 1024**3
IP, SNAT = "{{ ans_ip.ip_address }}", "{{ ans_snat.ip_addresses[0].ip_address }}"


def chains(home: str, base: str) -> Chains:
    infra: list[Scenario | Step] = [
        Scenario("zone", {"name": ZONE},
                 {"network_type": "Advanced", "dns1": "203.0.113.53",
                  "internal_dns1": "172.16.0.53", "vlan": "300-399",
                  "isolation_method": "vxlan"},
                 {"dns1": "203.0.113.54", "vlan": "300-420"},
                 ("zone_info", {"name": ZONE}),
                 {"dns1": ("203.0.113.53", "203.0.113.54"), "vlan": ("300-399", "300-420"),
                  "isolation_method": ("vxlan", "vxlan")},
                 steps=[Step("network type cannot change",
                             {"name": ZONE, "network_type": "Basic"},
                             fails_with="cannot change network_type")]),
        Scenario("pod", {"name": "ans-pod", "zone": ZONE},
                 {"gateway": "172.16.40.1", "netmask": "255.255.255.0",
                  "start_ip": "172.16.40.10", "end_ip": "172.16.40.100"},
                 {"end_ip": "172.16.40.120"},
                 ("pod_info", {"name": "ans-pod", "zone": ZONE}),
                 {"end_ip": ("172.16.40.100", "172.16.40.120")},
                 steps=[Step("creating needs the network", {"name": "ans-pod-2", "zone": ZONE},
                             fails_with="creating it needs gateway, netmask, start_ip")]),
        Scenario("cluster", {"name": "ans-cluster", "zone": ZONE},
                 {"pod": "ans-pod", "hypervisor": "Simulator"},
                 {"state": "disabled"},
                 ("cluster_info", {"name": "ans-cluster", "zone": ZONE}),
                 {"allocation_state": ("Enabled", "Disabled"), "pod": ("ans-pod", "ans-pod")},
                 steps=[Step("enable", {"name": "ans-cluster", "zone": ZONE,
                                        "state": "enabled"})]),
        Scenario("host", {"name": "ans-h1", "zone": ZONE},
                 {"cluster": "ans-cluster", "url": HOST_URL, "username": "root",
                  "password": "password"},
                 {"host_tags": ["ssd", "fast"]},
                 ("host_info", {"name": "ans-h1", "zone": ZONE}),
                 {"host_tags": (None, "ssd,fast"), "cluster": ("ans-cluster", "ans-cluster")},
                 steps=[
                     Step("maintenance", {"name": "ans-h1", "zone": ZONE,
                                          "allocation_state": "maintenance"}),
                     Step("maintenance again", {"name": "ans-h1", "zone": ZONE,
                                                "allocation_state": "maintenance"}, False),
                     Step("enabled", {"name": "ans-h1", "zone": ZONE,
                                      "allocation_state": "enabled"}),
                     Step("a bad url", {"name": "ans-bad", "zone": ZONE,
                                        "cluster": "ans-cluster", "url": "not a url",
                                        "username": "root", "password": "password"},
                          fails_with="Invalid host url", errorcode=431),
                 ]),
        Scenario("storage_pool", {"name": "ans-primary", "zone": ZONE},
                 {"pod": "ans-pod", "cluster": "ans-cluster",
                  "storage_url": "nfs://203.0.113.10/export/ans-primary"},
                 {"storage_tags": ["ssd"], "capacity_bytes": 10 * 1024**3},
                 ("storage_pool_info", {"name": "ans-primary", "zone": ZONE}),
                 {"storage_tags": (None, "ssd"), "capacity_bytes": (ANY, 10 * 1024**3)},
                 steps=[
                     Step("disabled", {"name": "ans-primary", "zone": ZONE,
                                       "allocation_state": "disabled"}),
                     Step("enabled", {"name": "ans-primary", "zone": ZONE,
                                      "allocation_state": "enabled"}),
                 ]),
    ]
    catalog: list[Scenario | Step] = [
        Step("zone-b", {"module": "zone", "name": ZONE_B, "network_type": "Advanced",
                        "dns1": "203.0.113.53", "internal_dns1": "172.16.0.53"}),
        Scenario("secondary_storage", {"name": "ans-secondary", "zone": ZONE_B},
                 {"url": f"file://{home}/secondary/ans"}, {},
                 ("secondary_storage_info", {"name": "ans-secondary", "zone": ZONE_B}),
                 {"url": (f"file://{home}/secondary/ans",) * 2, "zone": (ZONE_B, ZONE_B)},
                 steps=[Step("url cannot change",
                             {"name": "ans-secondary", "zone": ZONE_B,
                              "url": f"file://{home}/secondary/other"},
                             fails_with="cannot change url")],
                 again_module="image_store"),
        Scenario("vlan_ip_range", {"zone": ZONE_B, "start_ip": "198.51.100.10"},
                 {"end_ip": "198.51.100.20", "vlan": "60", "gateway": "198.51.100.1",
                  "netmask": "255.255.255.0"}, {},
                 ("vlan_ip_range_info", {"zone": ZONE_B, "vlan": "60"}),
                 {"end_ip": ("198.51.100.20",) * 2, "for_virtual_network": (True, True)},
                 steps=[Step("gateway cannot change",
                             {"zone": ZONE_B, "start_ip": "198.51.100.10",
                              "gateway": "198.51.100.254"},
                             fails_with="cannot change gateway")]),
        Scenario("service_offering", {"name": "ans-offering"},
                 {"cpu_number": 1, "cpu_speed": 500, "memory": 512},
                 {"display_text": "Ansible offering"},
                 ("service_offering_info", {"name": "ans-offering"}),
                 {"display_text": ("ans-offering", "Ansible offering"), "memory": (512, 512)},
                 steps=[Step("cpu cannot change", {"name": "ans-offering", "cpu_number": 2},
                             fails_with="cannot change cpu_number")]),
        Scenario("disk_offering", {"name": "ans-disk"}, {"disk_size": 2},
                 {"display_text": "Two GB"},
                 ("disk_offering_info", {"name": "ans-disk"}),
                 {"display_text": ("ans-disk", "Two GB"), "disk_size": (2, 2)}),
        Scenario("configuration", {"name": "vm.userdata.max.length"}, {"value": "16384"},
                 {"value": "8192"},
                 ("configuration_info", {"name": "vm.userdata.max.length"}),
                 {"value": ("16384", "8192")}, remove={"value": ""}, preexisting=True),
        Scenario("template", {"name": "ans-tmpl", "zone": TINY},
                 {"url": base + IMAGE, "format": "QCOW2", "hypervisor": "Simulator",
                  "os_type": OS_TYPE},
                 {"display_text": "Ansible template", "is_public": True},
                 ("template_info", {"name": "ans-tmpl", "template_filter": "self"}),
                 {"display_text": ("ans-tmpl", "Ansible template"),
                  "is_public": (False, True)}),
        Step("zone-b removed", {"module": "zone", "name": ZONE_B, "state": "absent"}),
    ]
    identity: list[Scenario | Step] = [
        Scenario("domain", {"path": DOMAIN}, {}, {"network_domain": "ans.example"},
                 ("domain_info", {"path": DOMAIN}),
                 {"network_domain": (None, "ans.example"), "level": (1, 1)}),
        Scenario("account", {"name": "ans-acct", "domain": DOMAIN},
                 {"username": "ans-admin", "password": "Secret-1", "first_name": "Ann",
                  "last_name": "Admin", "email": "ann@example.org"},
                 {"network_domain": "acct.example"},
                 ("account_info", {"name": "ans-acct", "domain": DOMAIN}),
                 {"network_domain": (None, "acct.example"), "account_type": (0, 0)},
                 steps=[
                     Step("locked", {"name": "ans-acct", "domain": DOMAIN,
                                     "state": "locked"}),
                     Step("locked again", {"name": "ans-acct", "domain": DOMAIN,
                                           "state": "locked"}, False),
                     Step("disabled", {"name": "ans-acct", "domain": DOMAIN,
                                       "state": "disabled"}),
                     Step("enabled", {"name": "ans-acct", "domain": DOMAIN,
                                      "state": "enabled"}),
                     Step("type cannot change", {"name": "ans-acct", "domain": DOMAIN,
                                                 "account_type": "domain_admin"},
                          fails_with="cannot change account_type"),
                 ]),
        Scenario("user", {"username": "ans-user", "account": "ans-acct", "domain": DOMAIN},
                 {"first_name": "Uma", "last_name": "User", "email": "uma@example.org",
                  "password": "Secret-2"},
                 {"email": "uma@new.example", "keys_registered": True},
                 ("user_info", {"username": "ans-user", "account": "ans-acct",
                                "domain": DOMAIN}),
                 {"email": ("uma@example.org", "uma@new.example")},
                 steps=[
                     Step("keys again", {"username": "ans-user", "account": "ans-acct",
                                         "domain": DOMAIN, "keys_registered": True}, False),
                     Step("disabled", {"username": "ans-user", "account": "ans-acct",
                                       "domain": DOMAIN, "state": "disabled"}),
                     Step("enabled", {"username": "ans-user", "account": "ans-acct",
                                      "domain": DOMAIN, "state": "enabled"}),
                 ]),
        Scenario("resource_limit",
                 {"resource_type": "instance", "account": "ans-acct", "domain": DOMAIN},
                 {"limit": 5}, {"limit": 7},
                 ("resource_limit_info",
                  {"resource_type": "instance", "account": "ans-acct", "domain": DOMAIN}),
                 {"limit": (5, 7)}, remove={"limit": -1}, preexisting=True),
        Scenario("vpn_user", {"username": "ans-vpn-user", "account": TENANT},
                 {"password": "Vpn-Pass-1"}, {},
                 ("vpn_user_info", {"username": "ans-vpn-user", "account": TENANT}),
                 {"username": ("ans-vpn-user",) * 2}),
        Scenario("security_group", {"name": "ans-sg", "account": TENANT},
                 {"description": "Ansible group"}, {},
                 ("security_group_info", {"name": "ans-sg", "account": TENANT}),
                 {"description": ("Ansible group",) * 2, "vm_count": (0, 0)},
                 steps=[Step("description cannot change",
                             {"name": "ans-sg", "account": TENANT, "description": "other"},
                             fails_with="cannot change description")]),
        Scenario("security_group_rule",
                 {"security_group": "ans-sg", "port": 22, "cidr": "198.51.100.0/24",
                  "account": TENANT}, {}, {},
                 ("security_group_info", {"name": "ans-sg", "account": TENANT}), {}),
        Scenario("security_group_rule",
                 {"security_group": "ans-sg", "type": "egress", "protocol": "all",
                  "user_security_group": "ans-sg", "account": TENANT}, {}, {},
                 ("security_group_info", {"name": "ans-sg", "account": TENANT}), {},
                 label="security_group_rule egress"),
    ]
    return {"infra": infra, "catalog": catalog, "identity": identity,
            "compute": compute(base), "edge": edge()}


def compute(base: str) -> list[Scenario | Step]:
    """A network, a machine on it, a data volume, a snapshot and a template made from it,
    a snapshot policy, an ISO in the machine's drive."""
    own = {"account": TENANT}
    net = {"name": "ans-net", "zone": TINY, **own}
    vm = {"name": "ans-vm", "zone": TINY, **own}
    volume = {"name": "ans-vol", "zone": TINY, **own}
    made = {"module": "template", "name": "ans-tmpl-snap", "snapshot": "ans-snap",
            "os_type": OS_TYPE, **own}
    iso = {"name": "ans-iso", "zone": TINY, **own}
    return [
        Scenario("network", net, {"network_offering": "DefaultVirtualizedNetworkOffering"},
                 {"display_text": "Ansible network"},
                 ("network_info", net),
                 {"display_text": ("ans-net", "Ansible network"),
                  "guest_ip_type": ("Isolated",) * 2},
                 steps=[Step("restarted", dict(net, state="restarted"))]),
        Scenario("instance", vm,
                 {"template": TEMPLATE, "service_offering": OFFERING, "networks": ["ans-net"],
                  "user_data": "#cloud-config\n"},
                 {"display_name": "Ansible VM", "group": "ans"},
                 ("instance_info", vm),
                 {"display_name": ("ans-vm", "Ansible VM"), "group": (None, "ans"),
                  "instance_state": ("Running",) * 2, "service_offering": (OFFERING,) * 2},
                 steps=[
                     Step("offering needs a stop", dict(vm, service_offering=BIG),
                          fails_with="set force=true"),
                     Step("stopped", dict(vm, state="stopped")),
                     Step("stopped again", dict(vm, state="stopped"), False),
                     Step("bigger offering", dict(vm, service_offering=BIG)),
                     Step("started", dict(vm, state="started")),
                     Step("restarted", dict(vm, state="restarted")),
                 ],
                 after=[Step("expunged", dict(vm, state="expunged")),
                        Step("expunged again", dict(vm, state="expunged"), False)]),
        Scenario("volume", volume, {"disk_offering": CUSTOM, "size": 1}, {"size": 2},
                 ("volume_info", volume),
                 {"size": (GIB, 2 * GIB), "type": ("DATADISK",) * 2},
                 steps=[
                     Step("attached", dict(volume, vm="ans-vm", state="attached")),
                     Step("attached again", dict(volume, vm="ans-vm", state="attached"),
                          False),
                     Step("detached", dict(volume, state="detached")),
                     Step("attached once more", dict(volume, vm="ans-vm", state="attached")),
                     Step("attached cannot go", dict(volume, state="absent"),
                          fails_with="set force=true"),
                 ],
                 remove={"state": "absent", "force": True}),
        Scenario("snapshot", {"name": "ans-snap", "vm": "ans-vm", **own}, {}, {},
                 ("snapshot_info", {"name": "ans-snap", **own}),
                 {"snapshot_state": ("BackedUp",) * 2, "volume_type": ("ROOT",) * 2}),
        # A template made from the snapshot (the registered kind is in the catalog chain).
        Step("template from the snapshot", made),
        Step("template from the snapshot again", made, False),
        Step("template from the snapshot removed", {"module": "template",
                                                    "name": "ans-tmpl-snap",
                                                    "state": "absent"}),
        Scenario("snapshot_policy", {"vm": "ans-vm", "interval_type": "daily", **own},
                 {"schedule": "30:02", "max_snaps": 4},
                 {"max_snaps": 6, "time_zone": "Europe/London"},
                 ("snapshot_policy_info", {"vm": "ans-vm", **own}),
                 {"max_snaps": (4, 6), "time_zone": ("Etc/UTC", "Europe/London"),
                  "interval_type": ("daily",) * 2}),
        Scenario("iso", iso, {"url": base + IMAGE, "os_type": OS_TYPE},
                 {"display_text": "Ansible ISO", "bootable": False},
                 ("iso_info", dict(iso, iso_filter="self")),
                 {"display_text": ("ans-iso", "Ansible ISO"), "bootable": (True, False)},
                 steps=[
                     Step("attached", dict(iso, vm="ans-vm", state="attached"), retry=True),
                     Step("attached again", dict(iso, vm="ans-vm", state="attached"), False),
                     Step("detached", dict(iso, vm="ans-vm", state="detached")),
                 ]),
    ]


def edge() -> list[Scenario | Step]:
    """A network's router, its addresses and the rules on them, its VPN."""
    own = {"account": TENANT}
    net = {"network": "ans-edge-net", "zone": TINY, **own}
    web = {"module": "instance", "name": "ans-web", "zone": TINY, **own}
    lb = {"name": "ans-lb", "ip_address": SNAT, **own}
    egress = {"type": "egress", "network": "ans-edge-net", "zone": TINY, "protocol": "udp",
              "port": 53, **own}
    return [
        Step("network", {"module": "network", "name": "ans-edge-net", "zone": TINY,
                         "network_offering": "DefaultVirtualizedNetworkOffering", **own}),
        Step("machine", dict(web, template=TEMPLATE, service_offering=OFFERING,
                             networks=["ans-edge-net"])),
        Scenario("router", net, {"state": "stopped"}, {"state": "started"},
                 ("router_info", net),
                 {"router_state": ("Stopped", "Running"), "network": ("ans-edge-net",) * 2},
                 steps=[Step("restarted", dict(net, state="restarted"))],
                 preexisting=True),
        # The network's first address is its source NAT address: the module takes one
        # more, so both are there for the rules below.
        Scenario("ip_address", net, {}, {}, ("ip_address_info", dict(net, is_source_nat=False)),
                 {"is_source_nat": (False, False), "is_static_nat": (False, False)},
                 remove={"ip_address": IP, "state": "absent"}, register="ans_ip"),
        Step("source NAT address", {"module": "ip_address_info", "is_source_nat": True,
                                    **net}, False, register="ans_snat"),
        Scenario("static_nat", {"ip_address": IP, **own}, {"vm": "ans-web"}, {},
                 ("ip_address_info", {"ip_address": IP, **own}),
                 {"is_static_nat": (True, True), "vm": ("ans-web",) * 2}),
        Scenario("firewall", {"ip_address": IP, "port": 22, "cidrs": ["198.51.100.0/24"],
                              **own}, {}, {},
                 ("firewall_info", {"ip_address": IP, **own}),
                 {"start_port": (22, 22), "cidr": ("198.51.100.0/24",) * 2}),
        Scenario("firewall", egress, {}, {},
                 ("firewall_info", {"type": "egress", "network": "ans-edge-net", "zone": TINY,
                                    **own}),
                 {"start_port": (53, 53), "protocol": ("udp",) * 2},
                 label="firewall egress"),
        Scenario("port_forward", {"ip_address": SNAT, "public_port": 2222, **own},
                 {"private_port": 22, "vm": "ans-web", "open_firewall": True}, {},
                 ("port_forward_info", {"ip_address": SNAT, **own}),
                 {"private_port": ("22",) * 2, "vm": ("ans-web",) * 2},
                 steps=[Step("private port cannot change",
                             {"ip_address": SNAT, "public_port": 2222, "private_port": 23,
                              "vm": "ans-web", **own},
                             fails_with="cannot change private_port")]),
        Scenario("loadbalancer_rule", lb, {"public_port": 80, "private_port": 8080},
                 {"algorithm": "leastconn", "description": "Ansible rule"},
                 ("loadbalancer_rule_info", {"name": "ans-lb", **own}),
                 {"algorithm": ("source", "leastconn"), "public_port": ("80",) * 2}),
        # The rule is there before: "create" adds the machine to it.
        Scenario("loadbalancer_rule_member", {"name": "ans-lb", "vms": ["ans-web"], **own},
                 {}, {}, ("loadbalancer_rule_info", {"name": "ans-lb", **own}),
                 {"name": ("ans-lb",) * 2}, preexisting=True),
        Scenario("vpn", {"ip_address": SNAT, **own}, {}, {},
                 ("vpn_info", {"network": "ans-edge-net", "zone": TINY, **own}),
                 {"vpn_state": ("Running",) * 2}),
        Step("machine expunged", dict(web, state="expunged")),
        Step("network removed", {"module": "network", "name": "ans-edge-net", "zone": TINY,
                                 "state": "absent", **own}),
    ]


def tenant_side(cloud: Cloud) -> None:
    """What the tenant chains start from: the tiny simulator zone with a Ready template,
    a bigger service offering, a customized disk offering, and the tenant's account."""
    with open(datacenter.TINY) as handle:
        spec = yaml.safe_load(handle)
    spec["service_offerings"].append({"name": BIG, "cpunumber": 2, "cpuspeed": 500,
                                      "memory": 1024})
    spec["disk_offerings"].append({"name": CUSTOM, "customized": True})
    datacenter.build(cloud, spec)
    cloud.admin.createAccount(account=TENANT, username=TENANT, accounttype=0,
                              password="Tenant-1", firstname="Ten", lastname="Ant",
                              email="tenant@example.org")


@dataclass
class Run:
    results: Results
    elapsed: float
    stdout: str

    def __call__(self, host: str, name: str) -> dict[str, Any]:
        """The recorded result of one task."""
        return result(self.results, host, name, self.stdout)


@pytest.fixture(scope="module")
def run(cirrus: Cloud, tmp_path_factory: pytest.TempPathFactory) -> Run:
    workdir = str(tmp_path_factory.mktemp("playbooks"))
    tenant_side(cirrus)
    write_playbook(chains(cirrus.server.home, cirrus.server.base), workdir,
                   endpoint=cirrus.endpoint, key=cirrus.admin_key, secret=cirrus.admin_secret)
    started = time.monotonic()
    done, results = run_playbook(workdir, "site", {})
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    return Run(results, elapsed, done.stdout)


CASES = [(host, item.name) for host, chain in chains("HOME", "BASE").items()
         for item in chain if isinstance(item, Scenario)]


def scenario(cloud: Cloud, host: str, name: str) -> Scenario:
    (found,) = [item for item in chains(cloud.server.home, cloud.server.base)[host]
                if isinstance(item, Scenario) and item.name == name]
    return found


@pytest.mark.parametrize(("host", "name"), CASES, ids=[n for _, n in CASES])
def test_module_lifecycle(run: Run, cirrus: Cloud, host: str, name: str) -> None:
    check_lifecycle(run.results, host, scenario(cirrus, host, name))


def test_plain_steps_did_what_they_say(run: Run, cirrus: Cloud) -> None:
    """The steps around the scenarios (what the edge chain's rules need, and its
    removal) went through too."""
    for host, chain in chains(cirrus.server.home, cirrus.server.base).items():
        for item in chain:
            if isinstance(item, Step):
                check_step(run.results, host, f"{host}: {item.name}", item)


def test_user_keys_are_registered_and_returned(run: Run) -> None:
    updated = run("identity", "user: update")
    assert updated["user_api_key"] and updated["user_api_secret"]
    again = run("identity", "user: keys again")
    assert again["user_api_key"] == updated["user_api_key"]
    assert again["user_api_secret"] == updated["user_api_secret"]


def test_async_state_changes_went_through(run: Run) -> None:
    assert run("infra", "host: maintenance")["resource_state"] == "Maintenance"
    assert run("infra", "host: enabled")["resource_state"] == "Enabled"
    assert run("identity", "account: disabled")["account_state"] == "disabled"
    assert run("identity", "user: disabled")["user_state"] == "disabled"


def test_tenant_state_changes_went_through(run: Run) -> None:
    vm = {step: run("compute", f"instance: {step}") for step in (
        "stopped", "bigger offering", "started", "restarted")}
    assert vm["stopped"]["instance_state"] == "Stopped"
    assert vm["bigger offering"]["service_offering"] == BIG
    assert vm["bigger offering"]["instance_state"] == "Stopped"
    assert vm["started"]["instance_state"] == vm["restarted"]["instance_state"] == "Running"
    deployed = run("compute", "instance: create")
    assert deployed["default_ip"] == deployed["nics"][0]["ipaddress"]
    assert deployed["nics"][0]["networkname"] == "ans-net"
    assert deployed["user_data"] == "I2Nsb3VkLWNvbmZpZwo="  # base64 of what was asked
    attached = run("compute", "volume: attached")
    assert attached["vm"] == "ans-vm" and attached["volume_state"] == "Ready"
    assert "vm" not in run("compute", "volume: detached")
    assert run("compute", "compute: template from the snapshot")["account"] == "admin"
    snapshot = run("compute", "snapshot: create")
    assert snapshot["volume_type"] == "ROOT" and snapshot["account"] == TENANT
    address = run("edge", "ip_address: create")
    assert address["is_source_nat"] is False and address["account"] == TENANT
    assert run("edge", "router: restarted")["router_state"] == "Running"
    assert run("edge", "loadbalancer_rule_member: create")["vms"] == ["ans-web"]
    assert run("edge", "loadbalancer_rule_member: remove")["vms"] == []
    assert run("edge", "vpn: create")["preshared_key"]
    assert run("identity", "security_group_rule egress: create")[
        "user_security_group"] == "ans-sg"


def test_the_tenant_chains_left_nothing_behind(run: Run, cirrus: Cloud) -> None:
    """Every object the tenant chains made is gone at the end (the removals are real)."""
    (account,) = cirrus.admin.listAccounts(name=TENANT)["account"]
    mine = {"account": TENANT, "domainid": account["domainid"]}
    for command, key in (("listVirtualMachines", "virtualmachine"),
                         ("listNetworks", "network"), ("listSnapshots", "snapshot"),
                         ("listSecurityGroups", "securitygroup"),
                         ("listVpnUsers", "vpnuser")):
        found = getattr(cirrus.admin, command)(**mine).get(key, [])
        found = [item for item in found if item.get("name") != "default"]
        assert found == [], (command, found)
    volumes = cirrus.admin.listVolumes(**mine).get("volume", [])
    assert [v for v in volumes if v["type"] == "DATADISK"] == []
    templates = cirrus.admin.listTemplates(templatefilter="self").get("template", [])
    assert not [t for t in templates if t["name"].startswith("ans-")]


def test_the_run_took_reasonable_time(run: Run) -> None:
    assert "failed=0" in run.stdout.split("PLAY RECAP")[-1]
    # About 330 tasks in five chains; on two loaded cores each takes a few seconds.
    assert run.elapsed < 600, run.elapsed


def test_connection_from_cloudstack_environment_names_and_bad_secret(
        cirrus: Cloud, tmp_path: Any) -> None:
    """Connection settings from CLOUDSTACK_* variables; a wrong secret fails with 401."""
    workdir = str(tmp_path)
    play = [{"hosts": "all", "gather_facts": False, "tasks": [
        task("zones", "zone_info", {}),
        task("wrong secret", "zone_info", {"api_secret": "not-the-secret"},
             ignore_errors=True),
    ]}]
    with open(os.path.join(workdir, "env.yml"), "w") as handle:
        yaml.safe_dump(play, handle)
    write_local_inventory(workdir, ["local"])
    done, results = run_playbook(workdir, "env", {
        "CLOUDSTACK_ENDPOINT": cirrus.endpoint, "CLOUDSTACK_KEY": cirrus.admin_key,
        "CLOUDSTACK_SECRET": cirrus.admin_secret})
    assert done.returncode == 0, done.stdout[-3000:]
    zones = results["local"]["zones"]
    assert zones["status"] == "ok" and isinstance(zones["zones"], list)
    refused = results["local"]["wrong secret"]
    assert refused["status"] == "failed" and refused["errorcode"] == 401
    assert refused["msg"].startswith("listZones failed with error 401")
