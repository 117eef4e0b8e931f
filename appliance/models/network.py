"""Network rules on public IPs (seed §5): port forwarding, static NAT, firewall, load
balancing share one table distinguished by `purpose`, as CloudStack keeps them."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, UuidPk


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
    ip_address_id: Mapped[str] = mapped_column(ForeignKey("public_ip_address.id"), index=True)
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
    created: Mapped[Created]
