"""Hypervisor drivers by hypervisor type; third parties add theirs as entry points
(group `cirrus.hypervisors`, name = hypervisor type, value = a factory taking the Database)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points

from appliance.db import Database
from appliance.drivers.hypervisor.base import HypervisorDriver
from appliance.errors import ParamError

BUILTIN = {
    "Simulator": "appliance.drivers.hypervisor.simulator:SimulatorDriver",
    "KVM": "appliance.drivers.hypervisor.libvirt:LibvirtDriver",
    "LXC": "appliance.drivers.hypervisor.libvirt:LibvirtDriver",
}

_drivers: dict[tuple[str, str], HypervisorDriver] = {}


def _factory(hypervisor: str) -> Callable[[Database], HypervisorDriver]:
    target = BUILTIN.get(hypervisor)
    if target is None:
        for entry in entry_points(group="cirrus.hypervisors"):
            if entry.name == hypervisor:
                factory: Callable[[Database], HypervisorDriver] = entry.load()
                return factory
        raise ParamError(f"Hypervisor type {hypervisor} is not supported")
    module, _, name = target.partition(":")
    loaded: Callable[[Database], HypervisorDriver] = getattr(importlib.import_module(module),
                                                             name)
    return loaded


def driver_for(hypervisor: str, db: Database) -> HypervisorDriver:
    """The driver of `hypervisor` (one instance per process and database)."""
    key = (hypervisor, db.url)
    driver = _drivers.get(key)
    if driver is None:
        driver = _drivers[key] = _factory(hypervisor)(db)
    return driver


def supported() -> list[str]:
    """Hypervisor types this installation can drive (listHypervisors)."""
    names = set(BUILTIN) | {entry.name for entry in entry_points(group="cirrus.hypervisors")}
    return sorted(names)
