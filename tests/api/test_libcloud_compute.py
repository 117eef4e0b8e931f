"""Apache libcloud's CloudStack driver, unchanged, drives a simulator zone: locations,
sizes, images, then a node's whole life."""

from __future__ import annotations

from urllib.parse import urlparse

from libcloud.compute.drivers.cloudstack import CloudStackNodeDriver
from libcloud.compute.types import NodeState

from tests.support import datacenter
from tests.support.cloud import Cloud


def _driver(cloud: Cloud, key: str, secret: str) -> CloudStackNodeDriver:
    url = urlparse(cloud.endpoint)
    return CloudStackNodeDriver(key=key, secret=secret, secure=False, host=url.hostname,
                                port=url.port, path=url.path)


def test_libcloud_node_lifecycle(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    driver = _driver(cloud, owner.api_key, owner.secret_key)

    locations = {location.name: location for location in driver.list_locations()}
    assert datacenter.ZONE in locations
    sizes = {size.name: size for size in driver.list_sizes()}
    size = sizes[datacenter.OFFERING]
    assert size.ram == 512 and size.extra["cpu"] == 1
    images = {image.name: image for image in driver.list_images(locations[datacenter.ZONE])}
    image = images[datacenter.TEMPLATE]
    assert image.id == dc[datacenter.TEMPLATE]

    # libcloud asks for startvm=false unless told otherwise; such a node is Stopped.
    stopped = driver.create_node(name="lc-stopped", size=size, image=image,
                                 location=locations[datacenter.ZONE])
    assert stopped.state == NodeState.STOPPED
    node = driver.create_node(name="lc-node", size=size, image=image,
                              location=locations[datacenter.ZONE], ex_start_vm=True)
    assert node.state == NodeState.RUNNING and node.name == "lc-node"
    listed = {n.id: n for n in driver.list_nodes()}
    assert listed[node.id].state == NodeState.RUNNING
    assert listed[node.id].extra["zone_id"] == dc[datacenter.ZONE]

    assert driver.reboot_node(node) is True
    assert {n.id: n for n in driver.list_nodes()}[node.id].state == NodeState.RUNNING
    assert driver.ex_stop(node) == "Stopped"
    assert driver.ex_start(node) == "Running"

    assert driver.destroy_node(node) is True
    # Destroyed VMs are listed to admins only until expunged (they may be recovered).
    assert node.id not in {n.id for n in driver.list_nodes()}
    admin = _driver(cloud, cloud.admin_key, cloud.admin_secret)
    gone = [n for n in admin.list_nodes() if n.id == node.id]
    assert gone == [] or gone[0].state == NodeState.TERMINATED
