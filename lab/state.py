"""What the lab made, by name and pid, in /var/lib/cirrus-lab/state.json.

`lab down` works from this record (and from the fixed names in lab.topology, so it can
clean up after a crash that left no record)."""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from lab import topology


@dataclass
class HostRecord:
    index: int
    name: str
    netns: str
    veth: str
    address: str
    directory: str
    pids: dict[str, int] = field(default_factory=dict)  # daemon name -> pid
    mount_ns: int = 0  # inode of the host's private mount namespace
    mounts: list[str] = field(default_factory=list)  # private bind mounts (in mount_ns)
    started: float = 0.0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HostRecord:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass
class LabRecord:
    bridge: str = topology.BRIDGE
    bridge_address: str = f"{topology.BRIDGE_ADDRESS}/{topology.PREFIX_LENGTH}"
    bridge_created: bool = False
    hosts: list[HostRecord] = field(default_factory=list)
    authorized_keys: list[str] = field(default_factory=list)  # public key lines
    updated: float = 0.0

    def host(self, index: int) -> HostRecord | None:
        return next((host for host in self.hosts if host.index == index), None)

    def put(self, host: HostRecord) -> None:
        self.hosts = sorted([h for h in self.hosts if h.index != host.index] + [host],
                            key=lambda h: h.index)

    def drop(self, index: int) -> None:
        self.hosts = [h for h in self.hosts if h.index != index]


def load(path: str = topology.STATE_FILE) -> LabRecord | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    hosts = [HostRecord.from_json(item) for item in data.pop("hosts", [])]
    known = {name for name in LabRecord.__dataclass_fields__}
    record = LabRecord(**{key: value for key, value in data.items() if key in known})
    record.hosts = hosts
    return record


def save(record: LabRecord, path: str = topology.STATE_FILE) -> None:
    record.updated = time.time()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(asdict(record), handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(temporary, path)


def remove(path: str = topology.STATE_FILE) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
