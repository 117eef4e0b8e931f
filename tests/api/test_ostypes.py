"""OS categories and types seeded at init (listOsTypes, listOsCategories)."""

from __future__ import annotations

from tests.support.cloud import Cloud


def test_os_types_and_categories(cloud: Cloud) -> None:
    user = cloud.as_user(cloud.new_account())
    categories = {c["name"]: c["id"] for c in user.listOsCategories()["oscategory"]}
    assert {"CentOS", "Debian", "Ubuntu", "Windows", "Other"} <= set(categories)
    centos = user.listOsTypes(description="CentOS 5.6 (64-bit)")["ostype"]
    assert len(centos) == 1 and centos[0]["oscategoryid"] == categories["CentOS"]
    other = user.listOsTypes(oscategoryid=categories["Other"])["ostype"]
    assert "Other (64-bit)" in {o["description"] for o in other}
    assert user.listOsTypes(id=centos[0]["id"])["count"] == 1
    assert user.listOsTypes(keyword="ubuntu")["count"] >= 2
    assert user.listOsCategories(name="Debian")["oscategory"][0]["id"] == categories["Debian"]
