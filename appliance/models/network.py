"""Network rules on public IPs (seed §5): port forwarding, static NAT, firewall, load
balancing share one table distinguished by `purpose`, as CloudStack keeps them."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, Timestamp, UuidPk


class RulePurpose(StrEnum):
    PORT_FORWARDING = "PortForwarding"
    STATIC_NAT = "StaticNat"
    FIREWALL = "Firewall"
    LOAD_BALANCING = "LoadBalancing"


class RuleState(StrEnum):
    ADD = "Add"
    ACTIVE = "Active"
    REVOKE = "Revoke"


class FirewallRule(Base):
    """One rule on a public IP; `vm_id` and the private ports are set for port forwarding."""

    __tablename__ = "firewall_rule"

    id: Mapped[UuidPk]
    purpose: Mapped[RulePurpose] = mapped_column(String(16), index=True)
    state: Mapped[RuleState] = mapped_column(String(8), default=RuleState.ADD)
    # None for egress firewall rules, which belong to a network rather than an address.
    ip_address_id: Mapped[str | None] = mapped_column(ForeignKey("public_ip_address.id"),
                                                      index=True)
    protocol: Mapped[str] = mapped_column(String(8))
    start_port: Mapped[int | None] = mapped_column(Integer)
    end_port: Mapped[int | None] = mapped_column(Integer)
    vm_id: Mapped[str | None] = mapped_column(ForeignKey("vm_instance.id"), index=True)
    private_ip: Mapped[str | None] = mapped_column(String(64))
    private_start_port: Mapped[int | None] = mapped_column(Integer)
    private_end_port: Mapped[int | None] = mapped_column(Integer)
    source_cidrs: Mapped[str | None] = mapped_column(String(2048))
    icmp_type: Mapped[int | None] = mapped_column(Integer)
    icmp_code: Mapped[int | None] = mapped_column(Integer)
    traffic_type: Mapped[str] = mapped_column(String(8), default="Ingress")
    network_id: Mapped[str | None] = mapped_column(String(36), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"))
    # The rule this one was made for (the firewall rule `openfirewall` opens for a port
    # forwarding or load balancing rule); it goes when that rule goes.
    related_rule_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created: Mapped[Created]


class NetworkState(StrEnum):
    ALLOCATED = "Allocated"
    IMPLEMENTED = "Implemented"
    SHUTDOWN = "Shutdown"
    DESTROY = "Destroy"


class Network(Base):
    """A guest network (seed §5): an account's isolated network on a VLAN/VNI of its zone,
    or a shared/direct one. `vnet` is the VLAN id or VXLAN VNI carrying it."""

    __tablename__ = "network"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str | None] = mapped_column(String(255))
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str | None] = mapped_column(ForeignKey("domain.id"), index=True)
    network_offering_id: Mapped[str | None] = mapped_column(ForeignKey("network_offering.id"))
    guest_type: Mapped[str] = mapped_column(String(16), default="Isolated")
    traffic_type: Mapped[str] = mapped_column(String(16), default="Guest")
    isolation: Mapped[str] = mapped_column(String(8), default="vlan")  # vlan | vxlan
    vnet: Mapped[int | None] = mapped_column(Integer)
    cidr: Mapped[str] = mapped_column(String(64))
    gateway: Mapped[str] = mapped_column(String(64))
    netmask: Mapped[str] = mapped_column(String(64))
    network_domain: Mapped[str | None] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(default=True)
    state: Mapped[NetworkState] = mapped_column(String(16), default=NetworkState.ALLOCATED)
    # Bumped in the same transaction as every change of the network's public IPs and
    # rules (services/network/changes.py); a router applies up to a version.
    rules_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created: Mapped[Created]
    removed: Mapped[Timestamp]

    @property
    def bridge(self) -> str:
        """The Linux bridge carrying this network on a host (CloudStack KVM's names)."""
        if self.vnet is None:
            return "cloudbr0"
        return bridge_name(self.isolation, self.vnet)


def bridge_name(isolation: str, vnet: int, physical_dev: str = "eth0") -> str:
    """CloudStack KVM's bridge for a VXLAN VNI (brvx-<vni>) or a VLAN (br<dev>-<vlan>): the
    one name the VM's NIC and the guest_network role agree on."""
    if isolation == "vxlan":
        return f"brvx-{vnet}"
    return f"br{physical_dev}-{vnet}"


class GuestVnet(Base):
    """One VLAN id / VNI of a zone taken by a network: an isolated network's from the
    zone's guest range, a direct network's tag, or 0 for a basic zone's one shared
    network. Unique per zone so two networks never share one, whichever server
    allocates."""

    __tablename__ = "guest_vnet"
    __table_args__ = (UniqueConstraint("zone_id", "vnet"),)

    id: Mapped[UuidPk]
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    vnet: Mapped[int] = mapped_column(Integer)
    network_id: Mapped[str] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"),
                                            index=True)
    account_id: Mapped[str | None] = mapped_column(String(36))
    taken: Mapped[Created]


class Nic(Base):
    """A VM's interface on a network, with its MAC and guest IP (unique per network)."""

    __tablename__ = "nic"
    __table_args__ = (UniqueConstraint("network_id", "ip_address"),)

    id: Mapped[UuidPk]
    vm_id: Mapped[str] = mapped_column(ForeignKey("vm_instance.id"), index=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("network.id"), index=True)
    mac: Mapped[str] = mapped_column(String(17), unique=True)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    netmask: Mapped[str | None] = mapped_column(String(64))
    gateway: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(default=True)
    created: Mapped[Created]
    removed: Mapped[Timestamp]


class LbAlgorithm(StrEnum):
    ROUND_ROBIN = "roundrobin"
    LEAST_CONN = "leastconn"
    SOURCE = "source"


class LoadBalancerRule(Base):
    """The load-balancing details of a FirewallRule of purpose LoadBalancing (one to one):
    the public side (IP, port, protocol) stays on the rule row so conflict checks see it."""

    __tablename__ = "load_balancer_rule"

    id: Mapped[str] = mapped_column(ForeignKey("firewall_rule.id", ondelete="CASCADE"),
                                    primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(4096))
    algorithm: Mapped[LbAlgorithm] = mapped_column(String(16))
    private_port: Mapped[int] = mapped_column(Integer)


class LoadBalancerVm(Base):
    """A VM assigned to a load-balancing rule; once per rule."""

    __tablename__ = "load_balancer_vm"
    __table_args__ = (UniqueConstraint("rule_id", "vm_id"),)

    id: Mapped[UuidPk]
    rule_id: Mapped[str] = mapped_column(ForeignKey("firewall_rule.id", ondelete="CASCADE"),
                                         index=True)
    vm_id: Mapped[str] = mapped_column(ForeignKey("vm_instance.id"), index=True)
    created: Mapped[Created]
