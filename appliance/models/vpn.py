"""Remote access VPN (seed §5.9): L2TP over IPsec with a preshared key on a public IP of
an isolated network, served by that network's router; VPN users belong to an account and
may dial in to each of its VPNs."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, UuidPk


class VpnState(StrEnum):
    ADDED = "Added"
    RUNNING = "Running"


class VpnUserState(StrEnum):
    ADD = "Add"
    ACTIVE = "Active"


class RemoteAccessVpn(Base):
    __tablename__ = "remote_access_vpn"

    id: Mapped[UuidPk]
    ip_address_id: Mapped[str] = mapped_column(ForeignKey("public_ip_address.id"),
                                               unique=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("network.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"), index=True)
    preshared_key: Mapped[str] = mapped_column(String(255))
    ip_range: Mapped[str] = mapped_column(String(64))  # clients' addresses, first-last
    local_ip: Mapped[str] = mapped_column(String(64))  # the router's end of the tunnels
    state: Mapped[VpnState] = mapped_column(String(16), default=VpnState.ADDED)
    created: Mapped[Created]


class VpnUser(Base):
    __tablename__ = "vpn_user"
    __table_args__ = (UniqueConstraint("account_id", "username"),)

    id: Mapped[UuidPk]
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"), index=True)
    username: Mapped[str] = mapped_column(String(255))
    password: Mapped[str] = mapped_column(String(255))
    state: Mapped[VpnUserState] = mapped_column(String(16), default=VpnUserState.ADD)
    created: Mapped[Created]
