"""deleteAccount's work (Apache CloudStack's AccountManagerImpl.cleanupAccount): the account
is disabled, every resource it still owns is removed the way that resource's own delete
command removes it, then the account is marked removed.

The order follows what holds what:
- snapshot policies first: no recurring snapshot starts while the rest goes;
- VMs (destroyed and expunged): they hold NICs on the networks, data volumes and ISOs
  attached, security group memberships, port forwarding, static NAT and load balancer
  targets; every later step refuses (or would break) while they exist;
- networks: the router goes, then the network with its public IPs (source NAT too),
  their remote access VPNs and port forwarding/firewall/load balancer rules, its egress
  rules and its VLAN; an address left outside a network is released after;
- VPN users (their VPNs went with the addresses);
- data volumes, detached by the expunges (Destroy: the collector removes them);
- snapshots, newest first (nothing built on them is left to rebase);
- templates and ISOs (after the VMs: an ISO in a drive cannot go);
- security groups, `default` included, once no VM is a member;
- what is left of the account: its tags, the shares it was given, its dedicated public
  ranges, its users, its limits; the row is kept, marked removed.

Each step lists what is still left, so a job resumed after its process died, or a
deleteAccount issued again after a failure (secondary storage out, a VM another job is
starting), carries on with what remains. Each resource's own function commits before it
asks a host or storage for anything; `ctx.checkpoint()` between steps keeps no write
transaction open across them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select

from appliance.errors import ResourceInUse
from appliance.models import (
    Account,
    Network,
    Snapshot,
    SnapshotPolicy,
    Template,
    VirtualMachine,
    VmState,
    Volume,
    VolumeType,
)
from appliance.models.vpn import VpnUser
from appliance.orchestration import network_elements
from appliance.orchestration import snapshots as snapshot_work
from appliance.services import accounts, tags
from appliance.services.context import CallContext
from appliance.services.infra import vlan_ranges
from appliance.services.network import networks, public_ips, security_groups, vpn
from appliance.services.storage import snapshot_policies, snapshots, volumes
from appliance.services.templates import registry
from appliance.services.vms import lifecycle

S = VmState
# A VM in one of these is being moved by another job: it cannot be destroyed now.
BUSY_VM_STATES = (S.STARTING, S.MIGRATING)


def delete(ctx: CallContext, account: Account) -> None:
    """Remove everything `account` owns, then the account (see the module doc)."""
    ctx.log.info("deleting account %s in %s", account.name, account.domain.display_path)
    accounts.start_removal(ctx, account)
    ctx.checkpoint()
    for step in (_snapshot_policies, _vms, _networks, _vpn_users, _volumes, _snapshots,
                 _templates, _security_groups, _leftovers):
        step(ctx, account)
        ctx.checkpoint()
    accounts.mark_removed(ctx, account)


def _ids(ctx: CallContext, stmt: Select[Any]) -> list[str]:
    return list(ctx.session.scalars(stmt))


def _snapshot_policies(ctx: CallContext, account: Account) -> None:
    left = _ids(ctx, select(SnapshotPolicy.id).where(
        SnapshotPolicy.account_id == account.id, SnapshotPolicy.removed.is_(None)))
    if left:
        ctx.log.info("account %s: deleting %d snapshot policies", account.name, len(left))
        snapshot_policies.delete(ctx, left)


def _vms(ctx: CallContext, account: Account) -> None:
    for vm_id in _ids(ctx, select(VirtualMachine.id).where(
            VirtualMachine.account_id == account.id, VirtualMachine.removed.is_(None))
            .order_by(VirtualMachine.created, VirtualMachine.id)):
        vm = ctx.session.get(VirtualMachine, vm_id)
        if vm is None or vm.removed is not None:
            continue
        if vm.state in BUSY_VM_STATES:
            raise ResourceInUse(
                f"Virtual machine {vm.display_name or vm.name} ({vm.id}) of account "
                f"{account.name} is {vm.state}: delete the account again once it is not")
        ctx.log.info("account %s: expunging virtual machine %s", account.name,
                     vm.instance_name)
        if vm.state in (S.DESTROYED, S.EXPUNGING):
            lifecycle.expunge_vm(ctx, vm)
        else:
            lifecycle.destroy(ctx, vm, expunge=True)
        ctx.checkpoint()


def _networks(ctx: CallContext, account: Account) -> None:
    for network_id in _ids(ctx, select(Network.id).where(
            Network.account_id == account.id, Network.removed.is_(None))
            .order_by(Network.created, Network.id)):
        network = ctx.session.get(Network, network_id)
        if network is None or network.removed is not None:
            continue
        networks.check_deletable(ctx, network)
        ctx.log.info("account %s: deleting network %s", account.name, network.name)
        network_elements.release(ctx, network)
        networks.delete(ctx, network)
        ctx.checkpoint()
    _apply(ctx, public_ips.release_account_ips(ctx, account.id))


def _apply(ctx: CallContext, network_ids: Iterable[str]) -> None:
    for network_id in sorted(network_ids):
        network_elements.apply(ctx, network_id)


def _vpn_users(ctx: CallContext, account: Account) -> None:
    for username in _ids(ctx, select(VpnUser.username).where(
            VpnUser.account_id == account.id).order_by(VpnUser.username)):
        ctx.log.info("account %s: removing VPN user %s", account.name, username)
        _apply(ctx, vpn.remove_user(ctx, account, username))


def _volumes(ctx: CallContext, account: Account) -> None:
    for volume_id in _ids(ctx, select(Volume.id).where(
            Volume.account_id == account.id, Volume.removed.is_(None),
            Volume.volume_type == VolumeType.DATADISK, Volume.state.not_in(snapshots.GONE))
            .order_by(Volume.created, Volume.id)):
        volume = volumes.get(ctx, volume_id)
        ctx.log.info("account %s: deleting volume %s", account.name, volume.name)
        volumes.delete(ctx, volume)


def _snapshots(ctx: CallContext, account: Account) -> None:
    for snapshot_id in _ids(ctx, select(Snapshot.id).where(
            Snapshot.account_id == account.id, Snapshot.removed.is_(None))
            .order_by(Snapshot.created.desc(), Snapshot.id)):
        snapshot = ctx.session.get(Snapshot, snapshot_id)
        if snapshot is None or snapshot.removed is not None:
            continue
        if snapshot.state in snapshots.IN_PROGRESS:
            raise ResourceInUse(
                f"Snapshot {snapshot.name} ({snapshot.id}) of account {account.name} is "
                f"{snapshot.state}: delete the account again once it is backed up")
        ctx.log.info("account %s: deleting snapshot %s", account.name, snapshot.name)
        snapshot_work.delete(ctx, snapshot)


def _templates(ctx: CallContext, account: Account) -> None:
    for template_id, is_iso in ctx.session.execute(
            select(Template.id, Template.is_iso).where(
                Template.account_id == account.id, Template.removed.is_(None))
            .order_by(Template.created, Template.id)).all():
        template = registry.check_deletable(ctx, template_id, None, is_iso=is_iso)
        ctx.log.info("account %s: deleting %s %s", account.name, registry.kind(template),
                     template.name)
        registry.delete(ctx, template_id, None, is_iso=is_iso)
        ctx.checkpoint()


def _security_groups(ctx: CallContext, account: Account) -> None:
    if removed := security_groups.delete_account_groups(ctx, account):
        ctx.log.info("account %s: deleted %d security groups", account.name, removed)


def _leftovers(ctx: CallContext, account: Account) -> None:
    tags.forget_account(ctx, account.id)
    registry.forget_account_permissions(ctx, account.id)
    if released := vlan_ranges.release_account_ranges(ctx, account.id):
        ctx.log.info("account %s: %d dedicated public IP ranges released", account.name,
                     released)
