"""The garbage collector of VMs (seed §7.4): expunges what was destroyed long enough ago."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from appliance.db import Database
from appliance.jobs import scheduler
from appliance.models import Account, AccountType, User, VirtualMachine, VmState
from appliance.models.base import utcnow
from appliance.services import configuration
from appliance.services.context import CallContext
from appliance.services.vms.lifecycle import expunge_vm

S = VmState
STALE = timedelta(minutes=10)


def expunge_due(db: Database) -> int:
    """Expunge VMs destroyed (or failed to deploy) more than expunge.delay seconds ago,
    each in its own transaction; one that fails is retried at the next run."""
    with db.session(write=False) as session:
        delay = int(configuration.get(session, "expunge.delay"))
        cutoff = utcnow() - timedelta(seconds=delay)
        due = list(session.scalars(select(VirtualMachine.id).where(
            VirtualMachine.removed.is_(None),
            # An Expunging VM left behind by a dead process; a running job is not stale.
            or_((VirtualMachine.state == S.EXPUNGING)
                & (VirtualMachine.state_changed <= utcnow() - STALE),
                (VirtualMachine.state == S.DESTROYED) & (VirtualMachine.destroyed <= cutoff),
                (VirtualMachine.state == S.ERROR) & (VirtualMachine.state_changed <= cutoff)))))
        admin_id = session.scalar(select(User.id).join(Account, User.account_id == Account.id)
                                  .where(Account.type == AccountType.ADMIN,
                                         User.is_default.is_(True)))
    done = 0
    for vm_id in due:
        with db.session(write=True) as session:
            assert admin_id is not None
            ctx = CallContext.load(session, admin_id, db=db)
            vm = session.get(VirtualMachine, vm_id)
            if vm is None or vm.removed is not None:
                continue
            try:
                expunge_vm(ctx, vm)
                done += 1
            except Exception:
                ctx.log.exception("expunging %s failed; retried at the next run",
                                  vm.instance_name)
    return done


scheduler.register("vm.expunge", "expunge.interval", expunge_due)
