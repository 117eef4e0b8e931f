"""createAccount, updateAccount, deleteAccount, disableAccount, enableAccount, lockAccount,
listAccounts."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, INTEGER, SHORT, STRING, UUID, param
from appliance.api.registry import ADMINS, ALL_ROLES, Command, OwnedListCommand, api_command
from appliance.api.responses.identity import ACCOUNT
from appliance.models import Account
from appliance.models.identity import AccountState
from appliance.orchestration import accounts as account_work
from appliance.services import accounts
from appliance.services.context import CallContext
from appliance.services.paging import Page


@dataclass(frozen=True)
class _AccountRef(Command):
    """An account named by id, or by account name and domain id."""

    id: str | None = param(UUID, doc="Account id")
    account: str | None = param(STRING, doc="Account name; must be used with domainid")
    domainid: str | None = param(UUID, doc="Domain ID of the account")

    def target(self, ctx: CallContext) -> Account:
        return accounts.resolve(ctx, self.id, self.account, self.domainid)

    def describe(self) -> str:
        return f"{self.spec.name} {self.id or self.account}"


@api_command("createAccount", response=ACCOUNT, roles=ADMINS, event="ACCOUNT.CREATE",
             related=("listAccounts",))
@dataclass(frozen=True)
class CreateAccount(Command):
    """Creates an account with its first user"""

    accounttype: int = param(SHORT, required=True,
                             doc="Type of the account: 0 user, 1 root admin, 2 domain admin")
    email: str = param(STRING, required=True, doc="email")
    firstname: str = param(STRING, required=True, doc="firstname")
    lastname: str = param(STRING, required=True, doc="lastname")
    password: str = param(STRING, required=True, doc="Clear text password of the user")
    username: str = param(STRING, required=True, doc="Unique username")
    account: str | None = param(STRING, doc="Name of the account; defaults to the username")
    domainid: str | None = param(UUID, doc="Creates the account under the specified domain")
    networkdomain: str | None = param(STRING, doc="Network domain for the account's networks")
    timezone: str | None = param(STRING, doc="the user's time zone (Appendix A)")

    def run(self, ctx: CallContext) -> Account:
        return accounts.create(
            ctx, account_type=self.accounttype, username=self.username, password=self.password,
            firstname=self.firstname, lastname=self.lastname, email=self.email,
            name=self.account, domain_id=self.domainid, network_domain=self.networkdomain,
            timezone=self.timezone)

    def describe(self) -> str:
        return f"creating account {self.account or self.username}"


@api_command("updateAccount", response=ACCOUNT, roles=ADMINS, event="ACCOUNT.UPDATE",
             related=("listAccounts",))
@dataclass(frozen=True)
class UpdateAccount(_AccountRef):
    """Updates account information for the authenticated user"""

    newname: str | None = param(STRING, doc="new name for the account")
    networkdomain: str | None = param(STRING, doc="Network domain for the account's networks")

    def run(self, ctx: CallContext) -> Account:
        return accounts.update(ctx, self.target(ctx), new_name=self.newname,
                               network_domain=self.networkdomain)


@api_command("deleteAccount", is_async=True, roles=ADMINS, event="ACCOUNT.DELETE",
             instance_type="Account", idempotent=True)
@dataclass(frozen=True)
class DeleteAccount(Command):
    """Deletes an account with its users, VMs, networks, IPs, volumes, snapshots and templates

    Its virtual machines are destroyed and expunged; its networks (with their routers),
    public IP addresses (with their rules and VPNs), VPN users, data volumes, snapshots,
    snapshot policies, templates, ISOs and security groups are deleted; then the account
    is marked removed and its name can be used again (appliance/orchestration/accounts.py).
    """

    id: str = param(UUID, required=True, doc="Account id")

    def accept(self, ctx: CallContext) -> str | None:
        accounts.check_deletable(ctx, accounts.resolve(ctx, self.id, None, None))
        return self.id

    def run(self, ctx: CallContext) -> None:
        found = ctx.session.get(Account, self.id)
        if found is not None and found.removed is not None:
            return  # a resumed job: already done
        account = accounts.resolve(ctx, self.id, None, None)
        accounts.check_deletable(ctx, account)
        account_work.delete(ctx, account)


@api_command("disableAccount", response=ACCOUNT, is_async=True, roles=ADMINS,
             event="ACCOUNT.DISABLE", instance_type="Account", idempotent=True)
@dataclass(frozen=True)
class DisableAccount(_AccountRef):
    """Disables an account"""

    lock: bool = param(BOOLEAN, required=True,
                       doc="If true, only lock the account; else disable the account")

    def accept(self, ctx: CallContext) -> str | None:
        account = self.target(ctx)
        accounts.check_state_change(ctx, account, self._state())
        return account.id

    def _state(self) -> AccountState:
        return AccountState.LOCKED if self.lock else AccountState.DISABLED

    def run(self, ctx: CallContext) -> Account:
        return accounts.set_state(ctx, self.target(ctx), self._state())


@api_command("enableAccount", response=ACCOUNT, roles=ADMINS, event="ACCOUNT.ENABLE")
@dataclass(frozen=True)
class EnableAccount(_AccountRef):
    """Enables an account"""

    def run(self, ctx: CallContext) -> Account:
        return accounts.set_state(ctx, self.target(ctx), AccountState.ENABLED)


@api_command("lockAccount", response=ACCOUNT, roles=ADMINS, event="ACCOUNT.DISABLE")
@dataclass(frozen=True)
class LockAccount(Command):
    """Locks an account: its users can no longer log in or call the API"""

    account: str = param(STRING, required=True, doc="Locks the specified account")
    domainid: str = param(UUID, required=True, doc="Locks the account in this domain")

    def run(self, ctx: CallContext) -> Account:
        account = accounts.resolve(ctx, None, self.account, self.domainid)
        return accounts.set_state(ctx, account, AccountState.LOCKED)


@api_command("listAccounts", response=ACCOUNT, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListAccounts(OwnedListCommand):
    """Lists accounts and provides detailed account information for listed accounts"""

    id: str | None = param(UUID, doc="list account by account ID")
    name: str | None = param(STRING, doc="list account by account name")
    accounttype: int | None = param(INTEGER, doc="list accounts by account type: "
                                    "0 user, 1 root admin, 2 domain admin")
    state: str | None = param(STRING, doc="list accounts by state (enabled, disabled, locked)")

    def run(self, ctx: CallContext) -> Page[Account]:
        return accounts.list_accounts(
            ctx, account_id=self.id, name=self.name, account_type=self.accounttype,
            state=self.state, owner=self.owner_filter(), keyword=self.keyword, page=self.page,
            pagesize=self.pagesize)
