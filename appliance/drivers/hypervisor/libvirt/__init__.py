"""The libvirt hypervisor driver (kvm, qemu, lxc domains), see driver.py.

Modules: xml (domain, volume and snapshot XML, pure), connection (one connection per host
URI per process), storage (templates staged into host pools, root overlays, data disks),
streams (files to and from volumes over libvirt storage streams), volumes (import and export
of volumes), live (the disks of a running domain: hot plug, CD-ROM, freezing for a copy),
driver.
Importing this package needs libvirt-python.
"""

from appliance.drivers.hypervisor.libvirt.driver import LibvirtDriver

__all__ = ["LibvirtDriver"]
