"""The server answers signed cs calls on both database backends."""

from tests.support.cloud import Cloud


def test_admin_lists_itself(cloud: Cloud) -> None:
    accounts = cloud.admin.listAccounts()
    assert accounts["count"] == 1
    assert accounts["account"][0]["name"] == "admin"
    assert accounts["account"][0]["accounttype"] == 1
