"""Run tests/automation/playbooks/hold.yml once under a lock key (a separate process)."""

from __future__ import annotations

import sys

from sqlalchemy import select

from appliance import automation
from appliance.db import Database
from appliance.models import User
from appliance.services.context import CallContext


def main(url: str, key: str, timeline: str, seconds: str, playbook: str) -> None:
    db = Database(url)
    with db.session() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        ctx = CallContext.for_user(session, admin, db=db)
        automation.run(ctx, playbook, extra_vars={"timeline": timeline,
                                                  "hold_seconds": float(seconds)},
                       lock_keys=[key], extra_hosts=[automation.InventoryHost.local()])
    db.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
