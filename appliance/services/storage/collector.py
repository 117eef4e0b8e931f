"""The garbage collector of volumes (seed §7.5.3): physically removes the data volumes
deleted more than expunge.delay seconds ago, checked every expunge.interval.

Root volumes go with their VM (the VM collector); snapshots of a removed volume stay.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from appliance.db import Database
from appliance.errors import CloudError
from appliance.jobs import scheduler
from appliance.models import Account, AccountType, User, Volume, VolumeState
from appliance.models.base import utcnow
from appliance.orchestration import volumes as orchestration
from appliance.services import configuration
from appliance.services.context import CallContext

S = VolumeState


def expunge_due(db: Database) -> int:
    """Remove each volume in Destroy since before the cutoff (or left Expunging by a round
    that died), in its own transaction; one that fails goes back to Destroy, is logged
    and is retried at the next run."""
    with db.session(write=False) as session:
        delay = int(configuration.get(session, "expunge.delay"))
        cutoff = utcnow() - timedelta(seconds=delay)
        due = list(session.scalars(select(Volume.id).where(
            Volume.removed.is_(None), Volume.state.in_((S.DESTROY, S.EXPUNGING)),
            Volume.vm_id.is_(None), Volume.destroyed <= cutoff)
            .order_by(Volume.destroyed, Volume.id)))
        admin_id = session.scalar(select(User.id).join(Account, User.account_id == Account.id)
                                  .where(Account.type == AccountType.ADMIN,
                                         User.is_default.is_(True)))
    done = 0
    for volume_id in due:
        assert admin_id is not None
        with db.session(write=True) as session:
            ctx = CallContext.load(session, admin_id, db=db)
            volume = session.get(Volume, volume_id)
            if volume is None or volume.state not in (S.DESTROY, S.EXPUNGING):
                continue  # removed meanwhile by another collector round
            try:
                orchestration.expunge(ctx, volume)
                done += 1
                ctx.log.info("volume %s (%s) expunged", volume.id, volume.name)
            except CloudError as error:
                ctx.log.warning("expunging volume %s failed; retried at the next run: %s",
                                volume_id, error.text)
            except Exception:
                ctx.log.exception("expunging volume %s failed; retried at the next run",
                                  volume_id)
    return done


scheduler.register("volume.expunge", "expunge.interval", expunge_due)
