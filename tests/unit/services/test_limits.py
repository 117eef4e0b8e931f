"""limits.reserve never overshoots, however many threads and processes race for it."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from appliance import schema
from appliance.db import Database
from appliance.errors import ResourceLimitExceeded
from appliance.models import Account, AccountType, Domain, User
from appliance.services import bootstrap, limits
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType

VM = ResourceType.USER_VM


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    yield database
    database.dispose()


def _admin_ctx(session: object) -> CallContext:
    admin = session.scalar(select(User).where(User.username == "admin"))  # type: ignore[attr-defined]
    return CallContext.for_user(session, admin)  # type: ignore[arg-type]


def _setup(db: Database, name: str, *, account_limit: int | None, domain_limit: int | None,
           accounts: int = 1) -> tuple[str, list[str]]:
    """A domain under ROOT with `accounts` user accounts, and the limits asked for."""
    from appliance.services import accounts as account_service
    from appliance.services import domains

    with db.session() as session:
        ctx = _admin_ctx(session)
        domain = domains.create(ctx, name=name, parent_id=None, network_domain=None)
        ids = []
        for index in range(accounts):
            account = account_service.create(
                ctx, account_type=0, username=f"{name}-{index}", password="pw",
                firstname="f", lastname="l", email=None, name=None, domain_id=domain.id,
                network_domain=None, timezone=None)
            ids.append(account.id)
            if account_limit is not None:
                limits.update_limit(ctx, resource_type=int(VM), max=account_limit,
                                    account=account.name, domainid=domain.id)
        if domain_limit is not None:
            limits.update_limit(ctx, resource_type=int(VM), max=domain_limit, account=None,
                                domainid=domain.id)
        return domain.id, ids


def _reserve_once(db: Database, account_id: str) -> bool:
    try:
        with db.session() as session:
            account = session.get(Account, account_id)
            assert account is not None
            limits.reserve(session, account, VM)
        return True
    except ResourceLimitExceeded:
        return False


def _race(db: Database, account_ids: list[str], attempts: int) -> int:
    successes = 0
    lock = threading.Lock()

    def worker(account_id: str) -> None:
        nonlocal successes
        for _ in range(attempts):
            if _reserve_once(db, account_id):
                with lock:
                    successes += 1

    threads = [threading.Thread(target=worker, args=(account_ids[i % len(account_ids)],))
               for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return successes


def _counts(db: Database, domain_id: str, account_ids: list[str]) -> tuple[int, list[int]]:
    with db.session(write=False) as session:
        accounts = [limits.count(session, limits.ACCOUNT, a, VM) for a in account_ids]
        return limits.count(session, limits.DOMAIN, domain_id, VM), accounts


def test_account_limit_holds_under_thread_race(db: Database) -> None:
    domain_id, (account_id,) = _setup(db, "race-acct", account_limit=7, domain_limit=None)
    assert _race(db, [account_id], attempts=3) == 7
    domain_count, (account_count,) = _counts(db, domain_id, [account_id])
    assert (domain_count, account_count) == (7, 7)
    with db.session(write=False) as session:
        root = session.scalar(select(Domain).where(Domain.parent_id.is_(None)))
        assert root is not None
        assert limits.count(session, limits.DOMAIN, root.id, VM) >= 7


def test_domain_aggregate_limit_across_accounts(db: Database) -> None:
    domain_id, account_ids = _setup(db, "race-dom", account_limit=None, domain_limit=5,
                                    accounts=2)
    assert _race(db, account_ids, attempts=2) == 5
    domain_count, per_account = _counts(db, domain_id, account_ids)
    assert domain_count == 5 and sum(per_account) == 5
    with db.session() as session:
        account = session.get(Account, account_ids[0])
        assert account is not None
        limits.release(session, account, VM, per_account[0])
    assert _counts(db, domain_id, account_ids)[0] == 5 - per_account[0]


def _process_race(url: str, account_id: str, attempts: int, out: multiprocessing.Queue) -> None:
    database = Database(url)
    out.put(sum(_reserve_once(database, account_id) for _ in range(attempts)))
    database.dispose()


def test_account_limit_holds_across_processes(db: Database) -> None:
    domain_id, (account_id,) = _setup(db, "race-proc", account_limit=6, domain_limit=None)
    spawn = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = spawn.Queue()
    procs = [spawn.Process(target=_process_race, args=(db.url, account_id, 4, out))
             for _ in range(4)]
    for proc in procs:
        proc.start()
    total = sum(out.get(timeout=120) for _ in procs)
    for proc in procs:
        proc.join(30)
    assert total == 6
    assert _counts(db, domain_id, [account_id]) == (6, [6])


def test_root_limit_is_inherited_and_admins_are_unlimited(db: Database) -> None:
    _, (account_id,) = _setup(db, "inherit", account_limit=None, domain_limit=None)
    with db.session() as session:
        ctx = _admin_ctx(session)
        root = session.scalar(select(Domain).where(Domain.parent_id.is_(None)))
        assert root is not None
        limits.update_limit(ctx, resource_type=int(VM), max=2, account=None, domainid=root.id)
        account = session.get(Account, account_id)
        assert account is not None
        assert limits.account_limit(session, account, VM) == 2
        admin = session.scalar(select(Account).where(Account.type == AccountType.ADMIN))
        assert admin is not None
        assert limits.account_limit(session, admin, VM) == limits.UNLIMITED
        limits.update_limit(ctx, resource_type=int(VM), max=-1, account=None, domainid=root.id)
