"""LakeAI's one exception tree.

Every error a user can cause or see is one of these; the server turns any of them into
Databricks' error JSON ``{"error_code": ..., "message": ...}`` with ``http_status``, and the
remote SDK maps ``error_code`` back to the same class, so ``except`` clauses work the same
in-process and over HTTP::

    LakeAIError (500 INTERNAL_ERROR)
    ├── InvalidParameterValue (400 INVALID_PARAMETER_VALUE)
    │   └── MalformedRequest (400 MALFORMED_REQUEST)
    ├── Unauthenticated (401 UNAUTHENTICATED)
    ├── PermissionDenied (403 PERMISSION_DENIED)
    ├── ResourceDoesNotExist (404 RESOURCE_DOES_NOT_EXIST)
    ├── ResourceAlreadyExists (409 RESOURCE_ALREADY_EXISTS)
    ├── ResourceConflict (409 RESOURCE_CONFLICT)
    │   └── ConcurrentModification (409 CONCURRENT_MODIFICATION)
    ├── NotImplementedFeature (501 NOT_IMPLEMENTED)
    ├── DeadlineExceeded (504 DEADLINE_EXCEEDED)
    └── RetryableError
        ├── RequestLimitExceeded (429 REQUEST_LIMIT_EXCEEDED)
        └── TemporarilyUnavailable (503 TEMPORARILY_UNAVAILABLE)
"""

from __future__ import annotations


class LakeAIError(Exception):
    """Base of every LakeAI error; carries the Databricks error code and HTTP status."""

    error_code = "INTERNAL_ERROR"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"error_code": self.error_code, "message": self.message}


class InvalidParameterValue(LakeAIError):
    error_code = "INVALID_PARAMETER_VALUE"
    http_status = 400


class MalformedRequest(InvalidParameterValue):
    error_code = "MALFORMED_REQUEST"


class Unauthenticated(LakeAIError):
    error_code = "UNAUTHENTICATED"
    http_status = 401


class PermissionDenied(LakeAIError):
    error_code = "PERMISSION_DENIED"
    http_status = 403


class ResourceDoesNotExist(LakeAIError):
    error_code = "RESOURCE_DOES_NOT_EXIST"
    http_status = 404


class ResourceAlreadyExists(LakeAIError):
    error_code = "RESOURCE_ALREADY_EXISTS"
    http_status = 409


class ResourceConflict(LakeAIError):
    error_code = "RESOURCE_CONFLICT"
    http_status = 409


class ConcurrentModification(ResourceConflict):
    """A write lost a real conflict with another writer; nothing of it was committed."""

    error_code = "CONCURRENT_MODIFICATION"


class NotImplementedFeature(LakeAIError):
    error_code = "NOT_IMPLEMENTED"
    http_status = 501


class DeadlineExceeded(LakeAIError):
    """A call ran past its time limit (a catalog Python function, ...) and was stopped.

    Not retryable: the same input will most likely run out of time again.
    """

    error_code = "DEADLINE_EXCEEDED"
    http_status = 504


class RetryableError(LakeAIError):
    """Base of errors a caller may retry after a while (fallbacks and pipelines test this)."""

    retry_after_seconds: float | None = None


class RequestLimitExceeded(RetryableError):
    error_code = "REQUEST_LIMIT_EXCEEDED"
    http_status = 429


class TemporarilyUnavailable(RetryableError):
    error_code = "TEMPORARILY_UNAVAILABLE"
    http_status = 503


def _all_subclasses(cls: type[LakeAIError]) -> list[type[LakeAIError]]:
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_all_subclasses(sub))
    return found


ERRORS_BY_CODE: dict[str, type[LakeAIError]] = {
    c.error_code: c for c in _all_subclasses(LakeAIError) if "error_code" in vars(c)
}


def error_from_code(error_code: str, message: str) -> LakeAIError:
    """Rebuild the exception a server raised from its error JSON (used by the remote SDK)."""
    return ERRORS_BY_CODE.get(error_code, LakeAIError)(message)
