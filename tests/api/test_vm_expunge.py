"""The garbage collector expunges destroyed VMs after expunge.delay (seed §7.4), checked
every expunge.interval; until then an admin may recover them."""

from __future__ import annotations

import time

from tests.support import datacenter
from tests.support.cloud import Cloud


def _listed(cloud: Cloud, vm_id: str) -> bool:
    return bool(cloud.admin.listVirtualMachines(id=vm_id, listall=True).get("virtualmachine"))


def test_destroyed_vms_are_expunged_after_the_delay(cloud: Cloud) -> None:
    ids = datacenter.build(cloud)
    admin = cloud.admin
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = user.deployVirtualMachine(zoneid=ids[datacenter.ZONE],
                                   serviceofferingid=ids[datacenter.OFFERING],
                                   templateid=ids[datacenter.TEMPLATE],
                                   fetch_result=True)["virtualmachine"]
    user.destroyVirtualMachine(id=vm["id"], fetch_result=True)
    time.sleep(3)  # the default delay is a day: nothing happens yet
    assert _listed(cloud, vm["id"])
    admin.updateConfiguration(name="expunge.delay", value="2")
    admin.updateConfiguration(name="expunge.interval", value="1")
    try:
        deadline = time.monotonic() + 30
        while _listed(cloud, vm["id"]) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _listed(cloud, vm["id"])
    finally:
        admin.updateConfiguration(name="expunge.delay", value="86400")
        admin.updateConfiguration(name="expunge.interval", value="86400")
    account = admin.listAccounts(id=owner.account["id"])["account"][0]
    assert (account["vmtotal"], account["volumetotal"]) == (0, 0)
