"""CloudMonkey 5.3 (`cloudmonkey` from PyPI, unchanged) against a live server: it syncs its
commands from listApis, signs its requests the way it does (signatureversion 3, keys
sorted case-insensitively), follows async jobs, and deploys a VM.

cloudmonkey is Python 2 only; tests/support/cloudmonkey.py installs it once into its own
virtualenv on the machine's Python 2.7 and skips these tests, saying why, where there is none.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import cloudmonkey
from tests.support.cloud import Cloud
from tests.support.cloudmonkey import CloudMonkey


@pytest.fixture(scope="session")
def cloudmonkey_executable() -> Path:
    try:
        return cloudmonkey.install()
    except cloudmonkey.CloudMonkeyUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def monkey(cloud: Cloud, cloudmonkey_executable: Path) -> Iterator[CloudMonkey]:
    """The admin's CloudMonkey, configured for this server and synced from its listApis."""
    client = CloudMonkey(cloudmonkey_executable, cloud.endpoint, cloud.admin_key,
                         cloud.admin_secret)
    client.sync()
    yield client


def _api_names(cloud: Cloud) -> set[str]:
    return {api["name"] for api in cloud.admin.listApis()["api"]}


def test_sync_caches_every_api_listapis_returns(cloud: Cloud,
                                                cloudmonkey_executable: Path) -> None:
    client = CloudMonkey(cloudmonkey_executable, cloud.endpoint, cloud.admin_key,
                         cloud.admin_secret)
    listed = cloud.admin.listApis()["api"]
    assert client.sync() == len(listed)
    cache = client.cache()
    assert cache["count"] == len(listed)
    cached = {api["name"] for verb in cache["verbs"] for api in cache[verb].values()}
    assert cached == {api["name"] for api in listed}
    assert set(cache["asyncapis"]) == {api["name"] for api in listed if api["isasync"]}
    accounts = cache["list"]["accounts"]
    assert accounts["name"] == "listAccounts"
    assert "name" in {param["name"] for param in accounts["params"]}
    assert cache["create"]["account"]["requiredparams"]  # `required` came through as true


def test_set_writes_the_profile(cloud: Cloud, cloudmonkey_executable: Path) -> None:
    """A user who configures CloudMonkey with `set` instead of editing the file."""
    client = CloudMonkey(cloudmonkey_executable, "http://127.0.0.1:9/client/api", "", "",
                         home=tempfile.mkdtemp(prefix="cloudmonkey-home-"))
    client.set("url", cloud.endpoint)
    client.set("apikey", cloud.admin_key)
    client.set("secretkey", cloud.admin_secret)
    profile = client.config()[client.profile]
    assert profile["url"] == cloud.endpoint and profile["apikey"] == cloud.admin_key
    users = client.json("list", "users", "username=admin")["user"]
    assert [user["username"] for user in users] == ["admin"]


def test_list_accounts_and_users_show_the_admin(cloud: Cloud, monkey: CloudMonkey) -> None:
    accounts = monkey.json("list", "accounts", "name=admin")
    assert accounts["count"] == 1
    (admin,) = accounts["account"]
    assert admin["name"] == "admin" and admin["accounttype"] == 1
    users = monkey.json("list", "users", "listall=true")["user"]
    admin_user = next(user for user in users if user["username"] == "admin")
    assert admin_user["apikey"] == cloud.admin_key
    assert admin_user["account"] == "admin"
    # filter= keeps only the named fields, as CloudMonkey users script it.
    only = monkey.json("list", "users", "username=admin", "filter=id,username")["user"]
    assert only == [{"id": admin_user["id"], "username": "admin"}]


def test_awkward_values_are_signed_and_kept(cloud: Cloud, monkey: CloudMonkey) -> None:
    """Values with spaces, '*', '/', ':' and non-ASCII text through CloudMonkey's signing."""
    account = cloud.new_account(prefix="cmk")
    user_id = account.account["user"][0]["id"]
    awkward = "Ünïcode ~ a*b/c: [x] & +"
    updated = monkey.json("update", "user", f"id={user_id}", f"firstname={awkward}")
    assert updated["user"]["firstname"] == awkward
    assert cloud.admin.listUsers(id=user_id)["user"][0]["firstname"] == awkward


def test_errors_exit_nonzero(monkey: CloudMonkey) -> None:
    result = monkey.run("api", "noSuchCommand", check=False)
    assert result.returncode == 1, str(result)
    assert "432" in result.stdout + result.stderr
    # Required parameters come from the synced listApis: checked before anything is sent.
    result = monkey.run("create", "account", "username=nobody", check=False)
    assert result.failed and "Missing arguments" in result.text, str(result)


def test_follows_async_jobs(cloud: Cloud, monkey: CloudMonkey) -> None:
    account = cloud.new_account(prefix="cmk")
    user_id = account.account["user"][0]["id"]
    job = monkey.json("disable", "user", f"id={user_id}")
    assert job["jobstatus"] == 1, job
    assert job["jobresult"]["user"]["state"] == "disabled"
    assert cloud.admin.listUsers(id=user_id)["user"][0]["state"] == "disabled"


# --- deploying a VM ----------------------------------------------------------------------
# The datacenter is built with `cs` (the reference client), in CloudStack's own commands:
# a Basic zone of simulator hosts, primary and secondary storage, a guest range, a service
# offering and a template the appliance serves itself (appliance/api/demo_files.py).

DEMO_TEMPLATE = "/demo/templates/centos56-x86_64-simulator.qcow2"


def _first(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The object a create command answered: CloudStack answers some (addCluster, addHost,
    registerTemplate) as a one-element list."""
    value = body[key]
    found: dict[str, Any] = value[0] if isinstance(value, list) else value
    return found


def _ready_template(cloud: Cloud, template_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = cloud.admin.listTemplates(templatefilter="self", id=template_id)
        template: dict[str, Any] = found["template"][0]
        if template.get("isready"):
            return template
        if time.monotonic() > deadline:
            raise AssertionError(f"template not ready after {timeout} s: {template}")
        time.sleep(0.5)


def _datacenter(cloud: Cloud) -> dict[str, str]:
    """Zone, service offering and a ready template; their ids."""
    api = cloud.admin
    tag = uuid.uuid4().hex[:6]
    zone = _first(api.createZone(name=f"cmk-zone-{tag}", networktype="Basic",
                                 dns1="192.0.2.53", internaldns1="192.0.2.53",
                                 allocationstate="Enabled"), "zone")
    pod = _first(api.createPod(zoneid=zone["id"], name=f"cmk-pod-{tag}",
                               gateway="198.51.100.1", netmask="255.255.255.0",
                               startip="198.51.100.10", endip="198.51.100.49"), "pod")
    api.createVlanIpRange(zoneid=zone["id"], podid=pod["id"], vlan="untagged",
                          forvirtualnetwork=False, gateway="198.51.100.1",
                          netmask="255.255.255.0", startip="198.51.100.100",
                          endip="198.51.100.199")
    cluster = _first(api.addCluster(zoneid=zone["id"], podid=pod["id"],
                                    clustername=f"cmk-{tag}", hypervisor="Simulator",
                                    clustertype="CloudManaged"), "cluster")
    api.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                hypervisor="Simulator", username="root", password="password",
                url=f"http://cmk-host-{tag}/?cpus=8&cpuspeed=2000&memory=16384")
    api.createStoragePool(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                          name=f"cmk-primary-{tag}",
                          url=f"nfs://198.51.100.5/export/primary-{tag}")
    secondary = tempfile.mkdtemp(prefix="cmk-secondary-")
    api.addImageStore(name=f"cmk-secondary-{tag}", provider="NFS", zoneid=zone["id"],
                      url=f"file://{secondary}")
    offering = _first(api.createServiceOffering(name=f"cmk-small-{tag}",
                                                displaytext="CloudMonkey", cpunumber=1,
                                                cpuspeed=500, memory=256), "serviceoffering")
    ostypes = api.listOsTypes()["ostype"]
    ostype = next((o for o in ostypes if "CentOS" in o["description"]), ostypes[0])
    template = _first(api.registerTemplate(
        name=f"cmk-tmpl-{tag}", displaytext="CloudMonkey template",
        url=cloud.server.base + DEMO_TEMPLATE, format="QCOW2", hypervisor="Simulator",
        ostypeid=ostype["id"], zoneid=zone["id"]), "template")
    _ready_template(cloud, template["id"])
    return {"zoneid": zone["id"], "serviceofferingid": offering["id"],
            "templateid": template["id"]}


def test_cloudmonkey_deploys_vm(cloud: Cloud, cloudmonkey_executable: Path) -> None:
    if "deployVirtualMachine" not in _api_names(cloud):
        pytest.skip("needs deployVirtualMachine")
    ids = _datacenter(cloud)
    client = CloudMonkey(cloudmonkey_executable, cloud.endpoint, cloud.admin_key,
                         cloud.admin_secret)
    client.sync()  # deploy's parameters and async-ness come from this server's listApis
    assert "deployVirtualMachine" in client.cache()["asyncapis"]
    name = f"cmk-vm-{uuid.uuid4().hex[:6]}"
    job = client.json("deploy", "virtualmachine", f"zoneid={ids['zoneid']}",
                      f"serviceofferingid={ids['serviceofferingid']}",
                      f"templateid={ids['templateid']}", f"name={name}")
    assert job["jobstatus"] == 1, job
    vm = job["jobresult"]["virtualmachine"]
    assert vm["name"] == name and vm["state"] == "Running"
    assert vm["zoneid"] == ids["zoneid"] and vm["templateid"] == ids["templateid"]

    listed = client.json("list", "virtualmachines", f"id={vm['id']}")["virtualmachine"]
    assert [(v["id"], v["state"]) for v in listed] == [(vm["id"], "Running")]
    assert cloud.admin.listVirtualMachines(id=vm["id"])["virtualmachine"][0]["state"] == \
        "Running"

    stopped = client.json("stop", "virtualmachine", f"id={vm['id']}")
    assert stopped["jobresult"]["virtualmachine"]["state"] == "Stopped"
