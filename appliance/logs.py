"""Logging helpers: every line written for a job carries `job-<id>`."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any


class JobLog(logging.LoggerAdapter[logging.Logger]):
    """Prefixes each message with `job-<id>` when there is a job."""

    def __init__(self, logger: logging.Logger, job_id: str | None) -> None:
        super().__init__(logger, {"job": job_id})
        self.prefix = f"job-{job_id} " if job_id else ""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]
                ) -> tuple[Any, MutableMapping[str, Any]]:
        return f"{self.prefix}{msg}", kwargs
