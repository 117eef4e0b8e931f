"""resetPasswordForVirtualMachine (seed §7.6): only for a stopped VM of a password-enabled
template; the new password is in the response and goes to the network's router."""

from __future__ import annotations

from tests.api.test_public_ips import deploy, error_of, expunge
from tests.api.test_routers import network_of, routers_of
from tests.support import datacenter
from tests.support.cloud import Cloud


def test_reset_password(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    assert "password" not in vm  # the template is not password enabled
    template = dc[datacenter.TEMPLATE]
    cloud.admin.updateTemplate(id=template, passwordenabled=False)
    cloud.admin.stopVirtualMachine(id=vm["id"], fetch_result=True)
    assert error_of(user.resetPasswordForVirtualMachine, id=vm["id"]) == 431
    cloud.admin.updateTemplate(id=template, passwordenabled=True)
    try:
        # A VM of a password-enabled template is deployed with a password, shown once.
        fresh = deploy(user, dc)
        assert len(fresh["password"]) == 12
        assert "password" not in user.listVirtualMachines(id=fresh["id"])["virtualmachine"][0]
        expunge(cloud, fresh)
        reset = user.resetPasswordForVirtualMachine(id=vm["id"], fetch_result=True)[
            "virtualmachine"]
        again = user.resetPasswordForVirtualMachine(id=vm["id"], fetch_result=True)[
            "virtualmachine"]
        assert len(reset["password"]) == 12 and again["password"] != reset["password"]
        assert "password" not in user.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
        (router,) = routers_of(cloud, network_of(user, vm))
        assert router["state"] == "Running"
        user.startVirtualMachine(id=vm["id"], fetch_result=True)
        assert error_of(user.resetPasswordForVirtualMachine, id=vm["id"]) == 431  # running
        stranger = cloud.as_user(cloud.new_account())
        assert error_of(stranger.resetPasswordForVirtualMachine, id=vm["id"]) == 531
    finally:
        cloud.admin.updateTemplate(id=template, passwordenabled=False)
    expunge(cloud, vm)
