"""Typed failures of a playbook run: which task failed on which host, and why."""

from __future__ import annotations

from appliance.errors import CloudError, ErrorCode


class AutomationError(CloudError):
    """A task failed: the job fails with 530 and this text (task, host and message)."""

    code = ErrorCode.INTERNAL_ERROR

    def __init__(self, task: str | None, host: str | None, message: str,
                 *, playbook: str | None = None, host_label: str | None = None) -> None:
        self.task = task
        self.host = host
        # What the text calls the host: its name when the inventory knows it.
        self.host_label = host_label or host
        self.message = message
        self.playbook = playbook
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.task is None:
            where = f"playbook {self.playbook!r}" if self.playbook else "automation run"
            return f"{where} failed: {self.message}"
        return f"task {self.task!r} failed on host {self.host_label}: {self.message}"

    def __str__(self) -> str:
        return self.text


class HostUnreachableError(AutomationError):
    """Ansible could not connect to the host (SSH refused, timed out, bad key)."""

    def describe(self) -> str:
        task = f" (task {self.task!r})" if self.task else ""
        return f"host {self.host_label} is unreachable{task}: {self.message}"
