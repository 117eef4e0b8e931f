"""Simulator fault injection through the API, and the host monitor reacting to it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from cs import CloudStack, CloudStackApiException

from tests.support import infra
from tests.support.cloud import Cloud


def _status(call: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)  # type: ignore[operator]
    code: int = caught.value.response.status_code
    return code


def _host_state(api: CloudStack, host_id: str) -> str:
    state: str = api.listHosts(id=host_id)["host"][0]["state"]
    return state


def _wait_for(api: CloudStack, host_id: str, state: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _host_state(api, host_id) != state:
        assert time.monotonic() < deadline, f"host never became {state}"
        time.sleep(0.3)


def test_configure_list_delete_and_validation(cloud: Cloud) -> None:
    stack = infra.stack(cloud)
    host_id = stack["host"]["id"]
    admin = cloud.admin
    fault: dict[str, Any] = admin.configureSimulatorFault(
        hostid=host_id, operation="start", action="fail", count=2,
        message="out of domains")["simulatorfault"]
    assert (fault["hostid"], fault["operation"], fault["action"], fault["count"]) == (
        host_id, "start", "fail", 2)
    hang = admin.configureSimulatorFault(instancename="i-2-7-VM", operation="*",
                                         action="hang", seconds=3)["simulatorfault"]
    assert hang["seconds"] == 3 and hang["count"] == -1
    assert admin.listSimulatorFaults(hostid=host_id)["simulatorfault"][0]["id"] == fault["id"]
    assert admin.listSimulatorFaults(instancename="i-2-7-VM")["count"] == 1
    assert admin.deleteSimulatorFault(id=hang["id"]) == {"success": True}
    assert admin.listSimulatorFaults(instancename="i-2-7-VM") == {}
    assert admin.clearSimulatorFaults(hostid=host_id) == {"success": True}
    assert admin.listSimulatorFaults(hostid=host_id) == {}

    bad: list[dict[str, Any]] = [
        {"operation": "start", "action": "fail"},  # neither host nor VM
        {"hostid": host_id, "operation": "fly", "action": "fail"},
        {"hostid": host_id, "operation": "start", "action": "explode"},
        {"hostid": host_id, "operation": "start", "action": "hang"},  # no seconds
        {"hostid": host_id, "operation": "start", "action": "hang", "seconds": 99999},
        {"hostid": host_id, "operation": "start", "action": "fail", "count": 0},
        {"hostid": "9b9b7a6e-0000-4000-8000-000000000000", "operation": "*",
         "action": "fail"},
    ]
    for args in bad:
        assert _status(admin.configureSimulatorFault, **args) == 431, args
    assert _status(admin.deleteSimulatorFault, id="9b9b7a6e-0000-4000-8000-000000000000") \
        == 431
    domain = cloud.new_domain()
    for kind in (0, 2):
        api = cloud.as_user(cloud.new_account(accounttype=kind, domainid=domain["id"]))
        assert _status(api.configureSimulatorFault, hostid=host_id, operation="*",
                       action="fail") == 432
        assert _status(api.listSimulatorFaults) == 432


def test_reconnect_fails_while_the_host_is_down(cloud: Cloud) -> None:
    stack = infra.stack(cloud)
    host_id = stack["host"]["id"]
    admin = cloud.admin
    admin.configureSimulatorFault(hostid=host_id, operation="detect", action="fail",
                                  count=1, message="connection refused")
    # The host monitor must not bring it back Up behind the test's back meanwhile.
    ping = admin.configureSimulatorFault(hostid=host_id, operation="ping", action="fail",
                                         message="still down")["simulatorfault"]
    with pytest.raises(CloudStackApiException) as caught:
        admin.reconnectHost(id=host_id, fetch_result=True)
    result = caught.value.args[1] if len(caught.value.args) > 1 else caught.value.error
    assert "connection refused" in str(result)
    assert _host_state(admin, host_id) == "Alert"
    admin.deleteSimulatorFault(id=ping["id"])
    assert admin.listSimulatorFaults(hostid=host_id) == {}  # the detect fault is used up
    assert admin.reconnectHost(id=host_id, fetch_result=True)["host"]["state"] == "Up"


def test_monitor_marks_hosts_down_and_up(cloud: Cloud) -> None:
    stack = infra.stack(cloud)
    host_id = stack["host"]["id"]
    admin = cloud.admin
    admin.updateConfiguration(name="ping.interval", value="1")
    admin.updateConfiguration(name="ping.timeout", value="1")
    try:
        fault = admin.configureSimulatorFault(hostid=host_id, operation="ping",
                                              action="fail")["simulatorfault"]
        _wait_for(admin, host_id, "Down")
        down = admin.listHosts(id=host_id)["host"][0]
        assert "disconnected" in down
        admin.deleteSimulatorFault(id=fault["id"])
        _wait_for(admin, host_id, "Up")
        assert "disconnected" not in admin.listHosts(id=host_id)["host"][0]
    finally:
        admin.updateConfiguration(name="ping.interval", value="60")
        admin.updateConfiguration(name="ping.timeout", value="2.5")
