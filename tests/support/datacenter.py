"""A ready simulator datacenter on a live test server in one call, for VM and network tests.

    from tests.support import datacenter

    ids = datacenter.build(cloud)                    # tests/support/specs/tiny.yaml
    vm = cloud.admin.deployVirtualMachine(zoneid=ids[datacenter.ZONE],
                                          serviceofferingid=ids[datacenter.OFFERING],
                                          templateid=ids[datacenter.TEMPLATE], ...)

`build` applies a spec (a path, or a dict shaped like the YAML) through the API as the
admin with the same applier `cirrus demo` uses, and waits until the templates are Ready.
It is idempotent: a second call with the same spec creates nothing and returns the same
ids.  The ids are keyed by name; nested objects by their path: "tiny/tiny-pod",
"tiny/tiny-pod/tiny-cluster", "tiny/tiny-pod/tiny-cluster/tiny-h1", ...
"""

from __future__ import annotations

import os
from typing import Any

from appliance.client import Client
from appliance.demo import spec as specs
from appliance.demo.apply import Applier, Report
from tests.support.cloud import Cloud

TINY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "specs", "tiny.yaml")
ZONE = "tiny"
POD = "tiny/tiny-pod"
CLUSTER = "tiny/tiny-pod/tiny-cluster"
HOSTS = ("tiny/tiny-pod/tiny-cluster/tiny-h1", "tiny/tiny-pod/tiny-cluster/tiny-h2")
PRIMARY = "tiny/tiny-pod/tiny-cluster/tiny-primary"
SECONDARY = "tiny/tiny-secondary"
OFFERING = "tiny-offering"
DISK_OFFERING = "tiny-disk"
TEMPLATE = "tiny-template"


def client(cloud: Cloud) -> Client:
    """The appliance's own API client as the test server's admin, with test-speed polling."""
    return Client(cloud.endpoint, cloud.admin_key, cloud.admin_secret, timeout=30,
                  job_timeout=60, poll_interval=0.1)


def load(cloud: Cloud, spec: str | dict[str, Any] = TINY) -> specs.Spec:
    """The spec with ${CIRRUS_HOME} and ${CIRRUS_URL} pointing at the test server."""
    variables = specs.default_variables(CIRRUS_HOME=cloud.server.home,
                                        CIRRUS_URL=cloud.server.base)
    if isinstance(spec, dict):
        return specs.parse(spec, variables, source="<dict>")
    return specs.load(spec, variables)


def apply(cloud: Cloud, spec: str | dict[str, Any] = TINY, *, log: Any = None,
          template_timeout: float = 60) -> Report:
    """Apply the spec; the full report (an outcome per object)."""
    applier = Applier(client(cloud), log=log, template_timeout=template_timeout,
                      poll_interval=0.1)
    return applier.apply(load(cloud, spec))


def build(cloud: Cloud, spec: str | dict[str, Any] = TINY) -> dict[str, str]:
    """Apply the spec and return the ids of its objects by name (see the module doc)."""
    return apply(cloud, spec).ids()
