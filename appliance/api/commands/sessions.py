"""login and logout. Declared here for listApis and validation; the HTTP layer runs them
because they set and clear cookies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.api.params import STRING, UUID, param
from appliance.api.registry import ALL_ROLES, Command, api_command
from appliance.api.responses.identity import ROLE_TYPES
from appliance.models import LoginSession, User


@api_command("login", roles=ALL_ROLES, kind="raw", authenticated=False, post_only=True,
             event="USER.LOGIN", writes=True)
@dataclass(frozen=True)
class Login(Command):
    """Logs a user into the CloudStack API; the answer carries the sessionkey to send back"""

    username: str = param(STRING, required=True, doc="Username")
    password: str = param(STRING, required=True, doc="Clear text password")
    domain: str | None = param(STRING, doc="Path of the domain the user belongs to, e.g. "
                               "/ or /customers/acme; defaults to ROOT")
    domainid: str | None = param(UUID, doc="ID of the domain the user belongs to")

    def describe(self) -> str:
        return f"user {self.username} logging in"


def login_body(user: User, login: LoginSession, timeout: int) -> dict[str, Any]:
    """CloudStack's loginresponse: every value a string, as its servlet writes them."""
    account = user.account
    body = {
        "timeout": str(timeout),
        "sessionkey": login.session_key,
        "type": str(int(account.type)),
        "roletype": ROLE_TYPES[account.type],
        "username": user.username,
        "userid": user.id,
        "domainid": account.domain_id,
        "account": account.name,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "registered": "false",
    }
    if user.timezone:
        body["timezone"] = user.timezone
    return body


@api_command("logout", roles=ALL_ROLES, kind="raw", authenticated=False, event="USER.LOGOUT",
             writes=True)
@dataclass(frozen=True)
class Logout(Command):
    """Logs out the user of the current session"""

    def describe(self) -> str:
        return "user logging out"
