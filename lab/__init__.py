"""The one-box lab: lab hosts in network namespaces on this machine, each with its own sshd
and libvirtd, on the bridge cirlab0 (see lab/README.md and lab.topology).

    import lab
    the_lab = lab.up(hosts=2)          # idempotent: a healthy lab is reused
    host = the_lab.hosts[0]            # h1, 10.233.0.11
    host.libvirt_uri("qemu")           # qemu+tcp://10.233.0.11/system
    host.run("virsh list --all")       # inside the host's namespaces
    lab.down()
"""

from lab.control import HostStatus, Lab, LabStatus, current, down, status, up
from lab.hosts import LabError, LabHost

__all__ = ["HostStatus", "Lab", "LabError", "LabHost", "LabStatus", "current", "down",
           "status", "up"]
