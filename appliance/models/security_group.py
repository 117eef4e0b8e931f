"""Security groups (seed §1.4.1, "Direct Untagged"): Amazon-style groups of an account in
zones with security groups enabled, their ingress/egress rules, and which VMs are members.

A rule allows traffic either from/to a CIDR, or from/to the members of another group
(`allowed_group_id`, named by account and group on the wire: usersecuritygrouplist). The
hosts enforce the groups (appliance/orchestration/security_groups.py)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, UuidPk

DEFAULT_GROUP = "default"


class SecurityRuleType(StrEnum):
    INGRESS = "ingress"
    EGRESS = "egress"


class SecurityGroup(Base):
    """A named group of one account; `default` is made for each account on first need."""

    __tablename__ = "security_group"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(4096))
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"), index=True)
    created: Mapped[Created]


class SecurityGroupRule(Base):
    """One rule: protocol tcp|udp|icmp|all, a port range (tcp/udp) or an ICMP type and
    code (icmp; -1 any), and either `cidr` or `allowed_group_id`."""

    __tablename__ = "security_group_rule"

    id: Mapped[UuidPk]
    security_group_id: Mapped[str] = mapped_column(
        ForeignKey("security_group.id", ondelete="CASCADE"), index=True)
    rule_type: Mapped[SecurityRuleType] = mapped_column(String(8))
    protocol: Mapped[str] = mapped_column(String(8))
    start_port: Mapped[int | None] = mapped_column(Integer)
    end_port: Mapped[int | None] = mapped_column(Integer)
    icmp_type: Mapped[int | None] = mapped_column(Integer)
    icmp_code: Mapped[int | None] = mapped_column(Integer)
    cidr: Mapped[str | None] = mapped_column(String(64))
    allowed_group_id: Mapped[str | None] = mapped_column(
        ForeignKey("security_group.id", ondelete="CASCADE"), index=True)
    created: Mapped[Created]


class SecurityGroupVm(Base):
    """A VM's membership of a group (CloudStack's security_group_vm_map); once per pair."""

    __tablename__ = "security_group_vm_map"
    __table_args__ = (UniqueConstraint("security_group_id", "vm_id"),)

    id: Mapped[UuidPk]
    security_group_id: Mapped[str] = mapped_column(
        ForeignKey("security_group.id", ondelete="CASCADE"), index=True)
    vm_id: Mapped[str] = mapped_column(ForeignKey("vm_instance.id"), index=True)
    created: Mapped[Created]
