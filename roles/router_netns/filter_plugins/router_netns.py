"""Filters of roles/router_netns."""

from __future__ import annotations

from typing import Any


def host_provided_bridges(guest_networks: list[dict[str, Any]],
                          links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `guest_networks` entries a host already provides and guest_network could not
    make: an 802.1Q bridge that exists without its `<physical_dev>.<vlan>` uplink (the one-box
    lab's public bridge breth0-100 on a kernel without 802.1Q, or a bridge an administrator
    made with another uplink). The router is attached to them as they are."""
    by_name = {link.get("ifname"): link for link in links}
    provided = []
    for entry in guest_networks or []:
        if entry.get("isolation") != "vlan":
            continue
        bridge = by_name.get(entry.get("bridge"))
        uplink = f"{entry.get('physical_dev')}.{entry.get('vlan')}"
        if bridge is not None and bridge.get("linkinfo", {}).get("info_kind") == "bridge" \
                and uplink not in by_name:
            provided.append(entry)
    return provided


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"router_netns_host_provided_bridges": host_provided_bridges}
