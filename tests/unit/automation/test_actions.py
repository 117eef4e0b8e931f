"""Extra vars of the orchestration actions: the names the roles read."""

from __future__ import annotations

import pytest

from appliance.errors import ParamError
from appliance.orchestration import actions


def test_param_map_reads_key_value_pairs_and_plain_maps() -> None:
    assert actions.param_map([{"key": "VNet", "value": "7"}, {"key": "isolation",
                                                              "value": "vxlan"}]) == {
        "vnet": "7", "isolation": "vxlan"}
    assert actions.param_map([{"networkid": "n1"}]) == {"networkid": "n1"}
    assert actions.param_map(None) == {}


def test_guest_network_vars_use_cloudstack_bridge_names() -> None:
    assert actions.guest_network_var("vxlan", 5001) == {
        "bridge": "brvx-5001", "isolation": "vxlan", "vni": 5001, "physical_dev": "eth0",
        "mtu": None}
    assert actions.guest_network_var("vlan", 100, physical_dev="eth1", mtu=1450) == {
        "bridge": "breth1-100", "isolation": "vlan", "vlan": 100, "physical_dev": "eth1",
        "mtu": 1450}
    with pytest.raises(ParamError, match="isolation"):
        actions.guest_network_var("gre", 1)


def test_every_listed_action_is_registered() -> None:
    assert set(actions.ACTIONS) == {"host_add", "host_remove", "network_ensure",
                                    "network_release", "storage_pool_add",
                                    "storage_pool_remove"}
    with pytest.raises(ParamError, match="unknown action"):
        actions.get("nope")


def test_storage_pool_var() -> None:
    from appliance.models import StoragePool

    pool = StoragePool(id="p-1", name="nfs1", zone_id="z", pool_type="NetworkFilesystem",
                       url="nfs://10.0.0.5/export/p", server="10.0.0.5", path="/export/p")
    assert actions.storage_pool_var(pool) == {
        "id": "p-1", "name": "nfs1", "type": "NetworkFilesystem", "server": "10.0.0.5",
        "path": "/export/p", "mount_point": "/mnt/cirrus/p-1"}
