# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Documentation shared by the cirrus.cloud modules."""

from __future__ import annotations


class ModuleDocFragment:

    # The connection options (plugins/module_utils/base.py connection_spec).
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - URL of the API, for example V(https://cirrus.example.com/client/api).
      - If not set, the E(CIRRUS_ENDPOINT) or else the E(CLOUDSTACK_ENDPOINT) environment
        variable is used.
    type: str
    required: true
  api_key:
    description:
      - API key of the user the module acts as.
      - If not set, the E(CIRRUS_API_KEY) or else the E(CLOUDSTACK_KEY) environment
        variable is used.
    type: str
    required: true
  api_secret:
    description:
      - Secret key of that user; requests are signed with it (HMAC-SHA1).
      - If not set, the E(CIRRUS_SECRET_KEY) or else the E(CLOUDSTACK_SECRET) environment
        variable is used.
    type: str
    required: true
  api_http_method:
    description:
      - HTTP method of the requests.
      - If not set, the E(CIRRUS_METHOD) or else the E(CLOUDSTACK_METHOD) environment
        variable is used.
    type: str
    choices: [get, post]
    default: get
  api_timeout:
    description:
      - Timeout of one HTTP request, in seconds.
      - Adding a host or primary storage configures the host within the request (the
        host playbooks), which takes tens of seconds.
      - If not set, the E(CIRRUS_TIMEOUT) or else the E(CLOUDSTACK_TIMEOUT) environment
        variable is used.
    type: int
    default: 120
  api_job_timeout:
    description:
      - How long to wait for an asynchronous job (polled with C(queryAsyncJobResult)), in
        seconds; the module fails when the job is still pending then.
      - If not set, the E(CIRRUS_JOB_TIMEOUT) environment variable is used.
    type: int
    default: 600
  validate_certs:
    description:
      - Whether to verify the TLS certificate of an V(https) endpoint.
      - If not set, the E(CIRRUS_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
notes:
  - The modules need nothing beyond Python's standard library on the host they run on
    (usually C(localhost)).
  - A failure reports the API's error code in C(errorcode) and its text in
    C(errortext).
"""

    # Attributes of the modules that change objects.
    ATTRIBUTES = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  action_group:
    description: Use C(group/cirrus.cloud.cirrus) in C(module_defaults) to set the connection options once for all modules.
    support: full
    membership:
      - cirrus.cloud.cirrus
"""

    # Attributes of the _info modules.
    INFO_ATTRIBUTES = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: The module only reads.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  action_group:
    description: Use C(group/cirrus.cloud.cirrus) in C(module_defaults) to set the connection options once for all modules.
    support: full
    membership:
      - cirrus.cloud.cirrus
"""
