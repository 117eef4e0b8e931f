"""What API tests talk to: a live server, its admin, and clients signed the real way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import requests
from cs import CloudStack

from tests.support.server import Server


@dataclass
class Credentials:
    username: str
    password: str
    api_key: str
    secret_key: str
    account: dict[str, Any]


@dataclass
class Cloud:
    server: Server
    admin_key: str
    admin_secret: str
    admin_password: str
    # Seconds a request may take: lab clouds run playbooks inside addHost and the like.
    timeout: float = 30
    job_timeout: float = 60

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    def client(self, key: str | None = None, secret: str | None = None,
               **kwargs: Any) -> CloudStack:
        """A `cs` client (signatureVersion 3 with expires), admin by default."""
        options: dict[str, Any] = {"timeout": self.timeout, "job_timeout": self.job_timeout,
                                   "poll_interval": 0.1, **kwargs}
        return CloudStack(endpoint=self.endpoint, key=key or self.admin_key,
                          secret=secret or self.admin_secret, **options)

    @property
    def admin(self) -> CloudStack:
        return self.client()

    def raw(self, method: str = "GET", **params: Any) -> requests.Response:
        """An unsigned request, as a browser or an attacker would send it."""
        params.setdefault("response", "json")
        if method == "GET":
            return requests.get(self.endpoint, params=params, timeout=30)
        return requests.post(self.endpoint, data=params, timeout=30)

    def new_account(self, *, accounttype: int = 0, domainid: str | None = None,
                    prefix: str = "acct") -> Credentials:
        """A fresh account with one user whose API keys are registered."""
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        password = uuid.uuid4().hex
        args: dict[str, Any] = {"accounttype": accounttype, "email": f"{name}@example.org",
                                "firstname": "Test", "lastname": name, "password": password,
                                "username": name}
        if domainid:
            args["domainid"] = domainid
        account = self.admin.createAccount(**args)["account"]
        user_id = account["user"][0]["id"]
        keys = self.admin.registerUserKeys(id=user_id)["userkeys"]
        return Credentials(name, password, keys["apikey"], keys["secretkey"], account)

    def new_domain(self, parent: str | None = None) -> dict[str, Any]:
        args: dict[str, Any] = {"name": f"dom-{uuid.uuid4().hex[:8]}"}
        if parent:
            args["parentdomainid"] = parent
        domain: dict[str, Any] = self.admin.createDomain(**args)["domain"]
        return domain

    def as_user(self, creds: Credentials) -> CloudStack:
        return self.client(creds.api_key, creds.secret_key)
