"""The inventory plugin cirrus.cloud.instances through real `ansible-inventory --list` runs
against the package's live server: VMs of two accounts in their own networks (one tagged
and reachable through static NAT, one stopped, two with the same name), the groups, host
variables and ansible_host it makes, its filters, the connection from the file or from the
environment, and its cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import datacenter
from tests.support.cloud import Cloud, Credentials
from tests.support.module_scenarios import COLLECTIONS

REPO = Path(COLLECTIONS).parent
EXAMPLE = REPO / "inventory" / "cirrus.yml"


@dataclass
class Tenants:
    domain: dict[str, Any]
    a: Credentials
    b: Credentials
    vms: dict[str, dict[str, Any]]  # web-a, db-a, web-b
    nat_ip: str


def safe(name: str) -> str:
    """A group name as the plugin writes it."""
    return "".join(c if c.isalnum() or c == "_" else "_" for c in name)


@pytest.fixture(scope="module")
def tenants(cirrus: Cloud) -> Tenants:
    ids = datacenter.build(cirrus)
    domain = cirrus.new_domain()
    a = cirrus.new_account(domainid=domain["id"], prefix="inv-a")
    b = cirrus.new_account(domainid=domain["id"], prefix="inv-b")

    def deploy(creds: Credentials, name: str) -> dict[str, Any]:
        vm: dict[str, Any] = cirrus.as_user(creds).deployVirtualMachine(
            zoneid=ids[datacenter.ZONE], serviceofferingid=ids[datacenter.OFFERING],
            templateid=ids[datacenter.TEMPLATE], name=name, fetch_result=True)[
            "virtualmachine"]
        return vm

    user_a, user_b = cirrus.as_user(a), cirrus.as_user(b)
    vms = {"web-a": deploy(a, "web1"), "db-a": deploy(a, "db1"), "web-b": deploy(b, "web1")}
    user_a.createTags(resourcetype="UserVm", resourceids=vms["web-a"]["id"],
                      tags=[{"key": "role", "value": "web"}], fetch_result=True)
    ip = user_a.associateIpAddress(zoneid=ids[datacenter.ZONE], fetch_result=True)[
        "ipaddress"]
    user_a.enableStaticNat(ipaddressid=ip["id"], virtualmachineid=vms["web-a"]["id"])
    user_b.stopVirtualMachine(id=vms["web-b"]["id"], fetch_result=True)
    return Tenants(domain, a, b, vms, ip["ipaddress"])


def plain(value: Any) -> Any:
    """ansible-inventory's JSON without ansible-core 2.19's unsafe-value wrappers."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@dataclass
class Listing:
    hostvars: dict[str, dict[str, Any]]
    groups: dict[str, set[str]]  # group -> its hosts (directly in it)

    def host(self, tenants: Tenants, vm: str) -> str:
        """The inventory name of one of the fixture's VMs (by id)."""
        wanted = tenants.vms[vm]["id"]
        (name,) = [name for name, facts in self.hostvars.items()
                   if facts.get("cirrus_id") == wanted]
        return name


def inventory(tmp: Path, config: dict[str, Any] | Path, env: dict[str, str], *extra: str,
              name: str = "test.cirrus.yml") -> subprocess.CompletedProcess[str]:
    if isinstance(config, Path):
        source = tmp / config.name
        shutil.copy(config, source)
    else:
        source = tmp / name
        source.write_text(yaml.safe_dump(config))
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("CIRRUS_", "CLOUDSTACK_", "ANSIBLE_"))}
    full_env = dict(clean, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
                    ANSIBLE_HOME=str(tmp / "ansible-home"),
                    ANSIBLE_INVENTORY_UNPARSED_FAILED="1", **env)
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i",
         str(source), "--list", *extra], capture_output=True, text=True, env=full_env,
        timeout=120, cwd=tmp)


def listing(done: subprocess.CompletedProcess[str]) -> Listing:
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = plain(json.loads(done.stdout))
    groups = {name: set(body.get("hosts", [])) for name, body in data.items()
              if name != "_meta"}
    return Listing(data["_meta"]["hostvars"], groups)


def connection(cloud: Cloud) -> dict[str, str]:
    return {"api_url": cloud.endpoint, "api_key": cloud.admin_key,
            "api_secret": cloud.admin_secret}


def test_groups_hostvars_and_ansible_host(cirrus: Cloud, tenants: Tenants,
                                          tmp_path: Path) -> None:
    """Connection settings in the file; the domain filter; built-in and constructed
    groups; the VM's facts; ansible_host from static NAT or the default NIC."""
    config = {"plugin": "cirrus.cloud.instances", **connection(cirrus),
              "domain": f"ROOT/{tenants.domain['name']}",
              "keyed_groups": [{"key": "cirrus_tags.role", "prefix": "role"}],
              "groups": {"small": "cirrus_memory <= 512"},
              "compose": {"ssh_port": "22 if cirrus_public_ip is defined else 2222"}}
    found = listing(inventory(tmp_path, config, {}))
    web_a, db_a, web_b = (found.host(tenants, vm) for vm in ("web-a", "db-a", "web-b"))
    # The two VMs named web1 (different accounts) get their id prefixes; db1 its name.
    assert db_a == "db1"
    assert {web_a, web_b} == {f"web1_{tenants.vms['web-a']['id'][:8]}",
                              f"web1_{tenants.vms['web-b']['id'][:8]}"}
    assert set(found.hostvars) == {web_a, db_a, web_b}  # only the domain's VMs

    dom, acct_a, acct_b = tenants.domain["name"], tenants.a.username, tenants.b.username
    net_a = tenants.vms["web-a"]["nic"][0]["networkname"]
    net_b = tenants.vms["web-b"]["nic"][0]["networkname"]
    assert net_a != net_b
    expected = {
        "cirrus": {web_a, db_a, web_b},
        "zone_tiny": {web_a, db_a, web_b},
        safe(f"domain_{dom}"): {web_a, db_a, web_b},
        safe(f"account_{dom}_{acct_a}"): {web_a, db_a},
        safe(f"account_{dom}_{acct_b}"): {web_b},
        safe(f"network_{net_a}"): {web_a, db_a},
        safe(f"network_{net_b}"): {web_b},
        "state_running": {web_a, db_a},
        "state_stopped": {web_b},
        "tag_role": {web_a},
        "tag_role_web": {web_a},
        "role_web": {web_a},  # keyed_groups
        "small": {web_a, db_a, web_b},  # groups
    }
    for group, hosts in expected.items():
        assert found.groups.get(group) == hosts, (group, sorted(found.groups))

    web = found.hostvars[web_a]
    assert web["ansible_host"] == tenants.nat_ip  # static NAT wins
    assert web["cirrus_public_ip"] == tenants.nat_ip
    assert web["cirrus_private_ip"] == tenants.vms["web-a"]["nic"][0]["ipaddress"]
    assert web["cirrus_tags"] == {"role": "web"}
    assert web["cirrus_networks"] == [net_a]
    assert web["cirrus_nics"][0]["is_default"] is True
    assert (web["cirrus_account"], web["cirrus_domain"], web["cirrus_zone"],
            web["cirrus_state"]) == (acct_a, dom, "tiny", "Running")
    assert web["cirrus_service_offering"] == "tiny-offering"
    assert web["ssh_port"] == 22  # compose
    db = found.hostvars[db_a]
    assert db["ansible_host"] == tenants.vms["db-a"]["nic"][0]["ipaddress"]
    assert "cirrus_public_ip" not in db and db["cirrus_tags"] == {}
    assert db["ssh_port"] == 2222
    assert found.hostvars[web_b]["cirrus_state"] == "Stopped"


def test_the_example_source_with_the_connection_from_the_environment(
        cirrus: Cloud, tenants: Tenants, tmp_path: Path) -> None:
    """inventory/cirrus.yml as shipped, with the CLOUDSTACK_* names (CIRRUS_* win)."""
    env = {"CLOUDSTACK_ENDPOINT": cirrus.endpoint, "CLOUDSTACK_KEY": cirrus.admin_key,
           "CLOUDSTACK_SECRET": "not-the-secret", "CIRRUS_SECRET_KEY": cirrus.admin_secret}
    found = listing(inventory(tmp_path, EXAMPLE, env))
    web_a = found.host(tenants, "web-a")
    assert web_a in found.groups["role_web"] and web_a in found.groups["public"]
    assert found.host(tenants, "db-a") in found.groups["offering_tiny_offering"]
    assert found.host(tenants, "db-a") not in found.groups["public"]


def test_filters_connect_with_and_cache(cirrus: Cloud, tenants: Tenants,
                                        tmp_path: Path) -> None:
    """account and states narrow the listing; private_ip ignores static NAT; a cached
    listing is used without asking the API (a wrong secret goes unnoticed) until the
    cache is flushed, when the API's 401 is reported."""
    config = {"plugin": "cirrus.cloud.instances",
              "zones": ["tiny"], "domain": tenants.domain["id"],
              "account": tenants.a.username, "states": ["running"],
              "connect_with": "private_ip", "cache": True,
              "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "cache")}
    env = {"CIRRUS_ENDPOINT": cirrus.endpoint, "CIRRUS_API_KEY": cirrus.admin_key,
           "CIRRUS_SECRET_KEY": cirrus.admin_secret}
    found = listing(inventory(tmp_path, config, env))
    assert set(found.hostvars) == {"web1", "db1"}  # names unique among these two
    assert found.hostvars["web1"]["ansible_host"] == \
        tenants.vms["web-a"]["nic"][0]["ipaddress"]
    assert list((tmp_path / "cache").iterdir()), "nothing was cached"

    wrong = dict(env, CIRRUS_SECRET_KEY="not-the-secret")
    cached = listing(inventory(tmp_path, config, wrong))
    assert cached.hostvars == found.hostvars

    refused = inventory(tmp_path, config, wrong, "--flush-cache")
    assert refused.returncode != 0
    assert "listDomains failed with error 401" in refused.stderr, refused.stderr


def test_missing_connection_settings_are_named(tmp_path: Path) -> None:
    done = inventory(tmp_path, {"plugin": "cirrus.cloud.instances"}, {})
    assert done.returncode != 0
    assert "api_url" in done.stderr and "api_key" in done.stderr, done.stderr
