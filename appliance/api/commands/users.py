"""createUser, updateUser, deleteUser, disableUser, enableUser, listUsers, getUser,
registerUserKeys, getUserKeys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.api.params import INTEGER, STRING, UUID, param
from appliance.api.registry import ADMINS, ALL_ROLES, Command, OwnedListCommand, api_command
from appliance.api.responses import ResponseSpec
from appliance.api.responses.identity import USER
from appliance.models import User
from appliance.models.identity import UserState
from appliance.services import users
from appliance.services.context import CallContext
from appliance.services.paging import Page


@api_command("createUser", response=USER, roles=ADMINS, event="USER.CREATE",
             related=("listUsers",))
@dataclass(frozen=True)
class CreateUser(Command):
    """Creates a user for an account that already exists"""

    account: str = param(STRING, required=True,
                         doc="the account the user is created in; must be used with domainid")
    email: str = param(STRING, required=True, doc="email")
    firstname: str = param(STRING, required=True, doc="firstname")
    lastname: str = param(STRING, required=True, doc="lastname")
    password: str = param(STRING, required=True, doc="Clear text password of the user")
    username: str = param(STRING, required=True, doc="Unique username within the domain")
    domainid: str | None = param(UUID, doc="the domain of the account")
    timezone: str | None = param(STRING, doc="the user's time zone (Appendix A)")

    def run(self, ctx: CallContext) -> User:
        return users.create(ctx, account_name=self.account, domain_id=self.domainid,
                            username=self.username, password=self.password,
                            firstname=self.firstname, lastname=self.lastname,
                            email=self.email, timezone=self.timezone)

    def describe(self) -> str:
        return f"creating user {self.username}"


@api_command("updateUser", response=USER, roles=ALL_ROLES, event="USER.UPDATE",
             related=("listUsers",))
@dataclass(frozen=True)
class UpdateUser(Command):
    """Updates a user account"""

    id: str = param(UUID, required=True, doc="User uuid")
    username: str | None = param(STRING, doc="Unique username")
    password: str | None = param(STRING, doc="Clear text password")
    firstname: str | None = param(STRING, doc="first name")
    lastname: str | None = param(STRING, doc="last name")
    email: str | None = param(STRING, doc="email")
    timezone: str | None = param(STRING, doc="the user's time zone (Appendix A)")
    userapikey: str | None = param(STRING, doc="The API key for the user")
    usersecretkey: str | None = param(STRING, doc="The secret key for the user")

    def run(self, ctx: CallContext) -> User:
        return users.update(ctx, self.id, username=self.username, password=self.password,
                            firstname=self.firstname, lastname=self.lastname, email=self.email,
                            timezone=self.timezone, api_key=self.userapikey,
                            secret_key=self.usersecretkey)


@api_command("deleteUser", roles=ADMINS, event="USER.DELETE")
@dataclass(frozen=True)
class DeleteUser(Command):
    """Deletes a user of an account"""

    id: str = param(UUID, required=True, doc="id of the user to be deleted")

    def run(self, ctx: CallContext) -> None:
        users.delete(ctx, self.id)


@api_command("disableUser", response=USER, is_async=True, roles=ADMINS, event="USER.DISABLE",
             instance_type="User", idempotent=True)
@dataclass(frozen=True)
class DisableUser(Command):
    """Disables a user: it can no longer log in or call the API"""

    id: str = param(UUID, required=True, doc="Disables user by user ID")

    def accept(self, ctx: CallContext) -> str | None:
        users.get(ctx, self.id)
        return self.id

    def run(self, ctx: CallContext) -> User:
        return users.set_state(ctx, self.id, UserState.DISABLED)


@api_command("enableUser", response=USER, roles=ADMINS, event="USER.ENABLE")
@dataclass(frozen=True)
class EnableUser(Command):
    """Enables a user"""

    id: str = param(UUID, required=True, doc="Enables user by user ID")

    def run(self, ctx: CallContext) -> User:
        return users.set_state(ctx, self.id, UserState.ENABLED)


@api_command("listUsers", response=USER, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListUsers(OwnedListCommand):
    """Lists user accounts"""

    id: str | None = param(UUID, doc="List user by ID")
    username: str | None = param(STRING, doc="List user by the username")
    accounttype: int | None = param(INTEGER, doc="List users by account type: "
                                    "0 user, 1 root admin, 2 domain admin")
    state: str | None = param(STRING, doc="List users by state (enabled, disabled, locked)")

    def run(self, ctx: CallContext) -> Page[User]:
        return users.list_users(
            ctx, user_id=self.id, username=self.username, account_type=self.accounttype,
            state=self.state, owner=self.owner_filter(), keyword=self.keyword, page=self.page,
            pagesize=self.pagesize)


@api_command("getUser", response=USER, roles=ADMINS)
@dataclass(frozen=True)
class GetUser(Command):
    """Finds a user by API key"""

    userapikey: str = param(STRING, required=True, doc="API key of the user")

    def run(self, ctx: CallContext) -> User:
        return users.find_by_api_key(ctx, self.userapikey)


def _render_keys(user: User, ctx: CallContext) -> dict[str, Any]:
    return {"apikey": user.api_key, "secretkey": user.secret_key}


USER_KEYS = ResponseSpec("userkeys", (("apikey", "the api key of the registered user"),
                                      ("secretkey", "the secret key of the registered user")),
                         _render_keys)


@api_command("registerUserKeys", response=USER_KEYS, roles=ALL_ROLES,
             event="REGISTER.USER.KEY")
@dataclass(frozen=True)
class RegisterUserKeys(Command):
    """Generates a new API key and secret key for a user, replacing the old pair"""

    id: str = param(UUID, required=True, doc="User id")

    def run(self, ctx: CallContext) -> User:
        return users.register_keys(ctx, self.id)


@api_command("getUserKeys", response=USER_KEYS, roles=ALL_ROLES)
@dataclass(frozen=True)
class GetUserKeys(Command):
    """Returns the API key and secret key of a user"""

    id: str = param(UUID, required=True, doc="ID of the user whose keys are required")

    def run(self, ctx: CallContext) -> User:
        return users.get_keys(ctx, self.id)
