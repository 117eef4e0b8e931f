"""listApis is generated from the declarations and filtered by role; listCapabilities."""

from __future__ import annotations

from appliance.api.registry import all_commands
from appliance.models import AccountType
from tests.support.cloud import Cloud


def test_list_apis_matches_declarations_per_role(cloud: Cloud) -> None:
    declared = {s.name: s for s in all_commands() if not s.name.startswith("test")}
    admin_apis = {a["name"]: a for a in cloud.admin.listApis()["api"]
                  if not a["name"].startswith("test")}
    assert set(admin_apis) == {n for n, s in declared.items() if AccountType.ADMIN in s.roles}
    create = admin_apis["createAccount"]
    assert create["isasync"] is False
    params = {p["name"]: p for p in create["params"]}
    # CloudStack always sends a length (255 unless declared); CloudMonkey's sync needs it.
    assert params["accounttype"] == {"name": "accounttype", "type": "short", "required": True,
                                     "length": 255,
                                     "description": params["accounttype"]["description"]}
    assert params["username"]["length"] == 255
    assert {r["name"] for r in create["response"]} >= {"id", "name", "accounttype", "user"}
    assert admin_apis["deleteAccount"]["isasync"] is True
    user = cloud.as_user(cloud.new_account())
    user_apis = {a["name"] for a in user.listApis()["api"]}
    assert user_apis == {n for n, s in declared.items() if AccountType.USER in s.roles}
    assert "createDomain" not in user_apis and "listAccounts" in user_apis
    one = user.listApis(name="listUsers")
    assert one["count"] == 1 and one["api"][0]["name"] == "listUsers"


def test_list_capabilities(cloud: Cloud) -> None:
    capability = cloud.admin.listCapabilities()["capability"]
    assert capability["customdiskofferingmaxsize"] == 2000
    assert capability["securitygroupsenabled"] is False
