"""Errors carrying CloudStack error codes; rendered into the envelope in one place (api/views)."""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    """CloudStack API error codes; the HTTP status of an error response equals the code."""

    UNAUTHORIZED = 401
    METHOD_NOT_ALLOWED = 405
    RATE_LIMIT = 429
    MALFORMED_PARAMETER = 430
    PARAM_ERROR = 431
    UNSUPPORTED_ACTION = 432
    INTERNAL_ERROR = 530
    ACCOUNT_ERROR = 531
    RESOURCE_LIMIT = 532
    INSUFFICIENT_CAPACITY = 533
    RESOURCE_UNAVAILABLE = 534
    RESOURCE_ALLOCATION = 535
    RESOURCE_IN_USE = 536
    NETWORK_RULE_CONFLICT = 537


# CloudStack's CSExceptionErrorCode for a ServerApiException; clients only display it.
CS_ERROR_CODE = 9999


class CloudError(Exception):
    """An error a caller can act on: carries the CloudStack code and a precise text."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR

    def __init__(self, text: str, code: ErrorCode | None = None) -> None:
        super().__init__(text)
        self.text = text
        if code is not None:
            self.code = code


class Unauthorized(CloudError):
    code = ErrorCode.UNAUTHORIZED


class MethodNotAllowed(CloudError):
    code = ErrorCode.METHOD_NOT_ALLOWED


class MalformedParameter(CloudError):
    code = ErrorCode.MALFORMED_PARAMETER


class ParamError(CloudError):
    code = ErrorCode.PARAM_ERROR


class UnsupportedCommand(CloudError):
    code = ErrorCode.UNSUPPORTED_ACTION


class PermissionDenied(CloudError):
    code = ErrorCode.ACCOUNT_ERROR


class ResourceLimitExceeded(CloudError):
    code = ErrorCode.RESOURCE_LIMIT


class InsufficientCapacity(CloudError):
    code = ErrorCode.INSUFFICIENT_CAPACITY


class ResourceUnavailable(CloudError):
    code = ErrorCode.RESOURCE_UNAVAILABLE


class ResourceInUse(CloudError):
    code = ErrorCode.RESOURCE_IN_USE


class NetworkRuleConflict(CloudError):
    code = ErrorCode.NETWORK_RULE_CONFLICT


class InternalError(CloudError):
    code = ErrorCode.INTERNAL_ERROR
