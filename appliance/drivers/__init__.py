"""Drivers: hypervisors (simulator, libvirt, vmware) and, later, network elements."""
