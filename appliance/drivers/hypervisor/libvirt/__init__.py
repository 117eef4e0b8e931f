"""The libvirt hypervisor driver (kvm, qemu, lxc domains), see driver.py.

Modules: xml (domain and volume XML, pure), connection (one connection per host URI per
process), storage (templates staged into host pools, root overlays, data disks), driver.
Importing this package needs libvirt-python.
"""

from appliance.drivers.hypervisor.libvirt.driver import LibvirtDriver

__all__ = ["LibvirtDriver"]
