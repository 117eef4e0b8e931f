"""The sync task writes hypervisor truth back: usage counters of running VMs, and VMs a
host stopped behind the cloud's back become Stopped with their capacity released."""

from __future__ import annotations

from typing import Any

from tests.support import datacenter
from tests.support.cloud import Cloud
from tests.support.waiting import eventually


def test_stats_and_out_of_band_power_off(cloud: Cloud) -> None:
    ids = datacenter.build(cloud)
    admin = cloud.admin
    vm = admin.deployVirtualMachine(zoneid=ids[datacenter.ZONE],
                                    serviceofferingid=ids[datacenter.OFFERING],
                                    templateid=ids[datacenter.TEMPLATE],
                                    fetch_result=True)["virtualmachine"]
    assert "cpuused" not in vm  # nothing sampled yet
    admin.updateConfiguration(name="vm.stats.interval", value="1")
    try:
        def sampled() -> dict[str, Any] | None:
            found: dict[str, Any] = admin.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
            return found if "cpuused" in found else None

        seen = eventually(sampled, 30, "the VM's sampled stats")
        assert seen["cpuused"].endswith("%") and seen["networkkbsread"] >= 0
        host_id = seen["hostid"]
        before = int(admin.listHosts(id=host_id)["host"][0]["memoryallocated"])
        admin.simulatorPowerOffVm(instancename=seen["instancename"])

        def stopped() -> bool:
            found = admin.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
            return bool(found["state"] == "Stopped")

        eventually(stopped, 30, "the VM Stopped by the sync")
        after = int(admin.listHosts(id=host_id)["host"][0]["memoryallocated"])
        assert before - after == 512 * 1024**2
        restarted = admin.startVirtualMachine(id=vm["id"], fetch_result=True)
        assert restarted["virtualmachine"]["state"] == "Running"
    finally:
        admin.updateConfiguration(name="vm.stats.interval", value="60")
        admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
