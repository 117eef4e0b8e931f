"""The one place every change of a network's public IPs and rules is recorded.

A change bumps the network's `rules_version` in the caller's transaction, so the row
that changed and the new version commit together.  The virtual router slice compares
the version it last applied with this one and coalesces every change in between into
one playbook run; until a router applies them, new rules stay in state `Add`.
"""

from __future__ import annotations

from sqlalchemy import select, update

from appliance.models import Network
from appliance.services.context import CallContext


def network_changed(ctx: CallContext, network_id: str | None, reason: str) -> int | None:
    """Record that the wanted rules of `network_id` changed; its new rules version.

    One conditional UPDATE (`rules_version = rules_version + 1`) so concurrent changes
    from several servers each count; None when the change has no network (an IP not
    associated with one)."""
    if network_id is None:
        return None
    session = ctx.session
    session.execute(update(Network).where(Network.id == network_id)
                    .values(rules_version=Network.rules_version + 1))
    version = session.scalar(select(Network.rules_version).where(Network.id == network_id))
    ctx.log.info("network %s rules version %s: %s", network_id, version, reason)
    return version
