"""The collection's modules through real `ansible-playbook` runs against a live server.

For each module: check mode reports the creation and creates nothing, create, create again
(unchanged), check mode shows the update's diff and changes nothing, update, the _info
module shows the new values, remove in check mode, remove, remove again (unchanged).
Failures must carry the API's error code or say what cannot be done.

Three independent chains (infrastructure; secondary storage, ranges, offerings and
settings; identity) run as three inventory hosts in one playbook with the free strategy,
so they proceed in parallel; a test-only callback records every task's result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml

from tests.collection.conftest import COLLECTIONS
from tests.support.cloud import Cloud

HERE = os.path.dirname(os.path.abspath(__file__))
ZONE, ZONE_B, DOMAIN = "ans-zone", "ans-zone-b", "ROOT/ans-dom"
HOST_URL = "http://sim/ans-h1?cpus=4&cpuspeed=2000&memory=8192"


class _Any:
    """Equal to every value (a size the server chose)."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


ANY = _Any()


@dataclass
class Step:
    name: str
    options: dict[str, Any]
    changed: bool = True
    fails_with: str | None = None  # text the failure message must contain
    errorcode: int | None = None


@dataclass
class Scenario:
    module: str
    ident: dict[str, Any]
    create: dict[str, Any]
    update: dict[str, Any]
    info: tuple[str, dict[str, Any]]
    shows: dict[str, tuple[Any, Any]]  # info key -> (after create, after update)
    steps: list[Step] = field(default_factory=list)
    remove: dict[str, Any] = field(default_factory=lambda: {"state": "absent"})
    again_module: str | None = None  # the module name the create-again step uses
    preexisting: bool = False  # a setting or limit: "create" changes what is there

    def options(self, *parts: dict[str, Any]) -> dict[str, Any]:
        merged = dict(self.ident)
        for part in parts:
            merged.update(part)
        return merged


def chains(home: str) -> dict[str, list[Scenario | Step]]:
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
    ]
    return {"infra": infra, "catalog": catalog, "identity": identity}


def task(name: str, module: str, options: dict[str, Any], **extra: Any) -> dict[str, Any]:
    options = {k: v for k, v in options.items() if v is not None}
    return {"name": name, f"cirrus.cloud.{module}": options, **extra}


def scenario_tasks(s: Scenario) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The setup tasks of a scenario, and its teardown tasks."""
    m = s.module
    present = s.options(s.create)
    updated = s.options(s.create, s.update)
    setup = [
        task(f"{m}: create in check mode", m, present, check_mode=True, diff=True),
        task(f"{m}: create", m, present),
        task(f"{m}: create again", s.again_module or m, present),
    ]
    if s.update:
        setup += [
            task(f"{m}: update in check mode", m, updated, check_mode=True, diff=True),
            task(f"{m}: update", m, updated),
        ]
    setup.append(task(f"{m}: info", s.info[0], s.info[1]))
    for step in s.steps:
        extra = {"ignore_errors": True} if step.fails_with else {}
        setup.append(task(f"{m}: {step.name}", m, step.options, **extra))
    removed = s.options(s.remove)
    teardown = [
        task(f"{m}: remove in check mode", m, removed, check_mode=True, diff=True),
        task(f"{m}: remove", m, removed),
        task(f"{m}: remove again", m, removed),
    ]
    return setup, teardown


def playbook(home: str, cloud: Cloud, workdir: str) -> None:
    for host, chain in chains(home).items():
        setup: list[dict[str, Any]] = []
        teardown: list[dict[str, Any]] = []
        final: list[dict[str, Any]] = []  # plain steps that remove what others used
        for item in chain:
            if isinstance(item, Step):
                options = dict(item.options)
                module = options.pop("module")
                (final if options.get("state") == "absent" else setup).append(
                    task(f"{host}: {item.name}", module, options))
                continue
            first, last = scenario_tasks(item)
            setup += first
            teardown = last + teardown
        with open(os.path.join(workdir, f"{host}.yml"), "w") as handle:
            yaml.safe_dump(setup + teardown + final, handle, sort_keys=False)
    play = [{
        "name": "cirrus.cloud modules against a live server",
        "hosts": "all", "gather_facts": False, "strategy": "free",
        "module_defaults": {"group/cirrus.cloud.cirrus": {
            "api_url": cloud.endpoint, "api_key": cloud.admin_key,
            "api_secret": cloud.admin_secret, "api_job_timeout": 60}},
        "tasks": [{"ansible.builtin.include_tasks": "{{ inventory_hostname }}.yml"}],
    }]
    with open(os.path.join(workdir, "site.yml"), "w") as handle:
        yaml.safe_dump(play, handle, sort_keys=False)
    with open(os.path.join(workdir, "inventory.ini"), "w") as handle:
        handle.write("[all]\n" + "".join(
            f"{host} ansible_connection=local ansible_python_interpreter={sys.executable}\n"
            for host in chains(home)))


def run_playbook(workdir: str, name: str, env: dict[str, str]
                 ) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    record = os.path.join(workdir, f"{name}.json")
    full_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
                    ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, "callback_plugins"),
                    ANSIBLE_CALLBACKS_ENABLED="record_results", RECORD_RESULTS_PATH=record,
                    ANSIBLE_PIPELINING="1", ANSIBLE_FORKS="3", ANSIBLE_NOCOLOR="1",
                    ANSIBLE_LOCAL_TEMP=os.path.join(workdir, "tmp"),
                    ANSIBLE_HOME=os.path.join(workdir, "ansible-home"), **env)
    for variable in ("CIRRUS_ENDPOINT", "CIRRUS_API_KEY", "CIRRUS_SECRET_KEY",
                     "CLOUDSTACK_ENDPOINT", "CLOUDSTACK_KEY", "CLOUDSTACK_SECRET"):
        if variable not in env:
            full_env.pop(variable, None)
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
         os.path.join(workdir, "inventory.ini"), os.path.join(workdir, f"{name}.yml")],
        capture_output=True, text=True, env=full_env, timeout=600, cwd=workdir)
    results: dict[str, Any] = {}
    if os.path.exists(record):
        with open(record) as handle:
            results = json.load(handle)
    return done, results


@pytest.fixture(scope="module")
def run(cirrus: Cloud, tmp_path_factory: pytest.TempPathFactory
        ) -> tuple[dict[str, dict[str, Any]], float, str]:
    workdir = str(tmp_path_factory.mktemp("playbooks"))
    playbook(cirrus.server.home, cirrus, workdir)
    started = time.monotonic()
    done, results = run_playbook(workdir, "site", {})
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    return results, elapsed, done.stdout


def result(run: tuple[dict[str, dict[str, Any]], float, str], host: str, name: str
           ) -> dict[str, Any]:
    results, _, stdout = run
    assert name in results.get(host, {}), f"no result for {host}: {name}\n{stdout[-4000:]}"
    return results[host][name]


CASES = [(host, item.module) for host, chain in chains("HOME").items() for item in chain
         if isinstance(item, Scenario)]


def scenario(cloud: Cloud, host: str, module: str) -> Scenario:
    (found,) = [item for item in chains(cloud.server.home)[host]
                if isinstance(item, Scenario) and item.module == module]
    return found


@pytest.mark.parametrize(("host", "module"), CASES, ids=[m for _, m in CASES])
def test_module_lifecycle(run: Any, cirrus: Cloud, host: str, module: str) -> None:
    s = scenario(cirrus, host, module)
    m = s.module

    def outcome(step: str) -> dict[str, Any]:
        got = result(run, host, f"{m}: {step}")
        assert got["status"] == "ok", (step, got)
        return got

    created = outcome("create in check mode")
    assert created["changed"] is True
    assert (created["diff"]["before"] == {}) is not s.preexisting, created["diff"]
    assert outcome("create")["changed"] is True  # so check mode created nothing
    assert outcome("create again")["changed"] is False
    if s.update:
        preview = outcome("update in check mode")
        assert preview["changed"] is True
        wanted = dict(s.update)
        assert set(preview["diff"]["after"]) == set(wanted), preview["diff"]
        assert preview["diff"]["after"] == wanted, preview["diff"]
        assert preview["diff"]["before"] != preview["diff"]["after"]
        assert outcome("update")["changed"] is True  # so check mode changed nothing
    listed = outcome("info")
    (items,) = [value for key, value in listed.items() if isinstance(value, list)
                and key not in ("warnings", "deprecations")]
    assert len(items) == 1, items
    for key, (_, later) in s.shows.items():
        assert items[0].get(key) == later, (key, items[0])
    for step in s.steps:
        got = result(run, host, f"{m}: {step.name}")
        if step.fails_with:
            assert got["status"] == "failed" and step.fails_with in got["msg"], got
            assert got.get("errorcode") == step.errorcode, got
        else:
            assert got["status"] == "ok" and got["changed"] is step.changed, (step, got)
    removing = outcome("remove in check mode")
    assert removing["changed"] is True
    assert outcome("remove")["changed"] is True  # so check mode removed nothing
    assert outcome("remove again")["changed"] is False


def test_values_after_create_were_what_was_asked(run: Any, cirrus: Cloud) -> None:
    """The create step's own result shows the values the scenario created."""
    for host, module in CASES:
        s = scenario(cirrus, host, module)
        got = result(run, host, f"{module}: create")
        for key, (first, _) in s.shows.items():
            assert first == got.get(key), (module, key, got)


def test_user_keys_are_registered_and_returned(run: Any) -> None:
    updated = result(run, "identity", "user: update")
    assert updated["user_api_key"] and updated["user_api_secret"]
    again = result(run, "identity", "user: keys again")
    assert again["user_api_key"] == updated["user_api_key"]
    assert again["user_api_secret"] == updated["user_api_secret"]


def test_async_state_changes_went_through(run: Any) -> None:
    assert result(run, "infra", "host: maintenance")["resource_state"] == "Maintenance"
    assert result(run, "infra", "host: enabled")["resource_state"] == "Enabled"
    assert result(run, "identity", "account: disabled")["account_state"] == "disabled"
    assert result(run, "identity", "user: disabled")["user_state"] == "disabled"


def test_the_run_took_reasonable_time(run: Any) -> None:
    _, elapsed, stdout = run
    assert "failed=0" in stdout.split("PLAY RECAP")[-1]
    assert elapsed < 300, elapsed


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
    with open(os.path.join(workdir, "inventory.ini"), "w") as handle:
        handle.write(f"local ansible_connection=local "
                     f"ansible_python_interpreter={sys.executable}\n")
    done, results = run_playbook(workdir, "env", {
        "CLOUDSTACK_ENDPOINT": cirrus.endpoint, "CLOUDSTACK_KEY": cirrus.admin_key,
        "CLOUDSTACK_SECRET": cirrus.admin_secret})
    assert done.returncode == 0, done.stdout[-3000:]
    zones = results["local"]["zones"]
    assert zones["status"] == "ok" and isinstance(zones["zones"], list)
    refused = results["local"]["wrong secret"]
    assert refused["status"] == "failed" and refused["errorcode"] == 401
    assert refused["msg"].startswith("listZones failed with error 401")
