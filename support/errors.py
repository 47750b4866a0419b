"""Domain errors: raised by services and selectors, mapped to HTTP statuses in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A change the domain refuses, with a sentence a person can read."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    status_code = 400
    code = "invalid"


class InvalidChange(DomainError):
    """The change conflicts with the object's current state (e.g. an illegal status move)."""

    status_code = 409
    code = "conflict"


class NotPermitted(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    """Also for objects that exist but are out of the caller's reach, so as not to leak them."""

    status_code = 404
    code = "not_found"


class AlreadyExists(ValidationFailed):
    """Another object already holds this name, address or slug: a conflict with what is stored
    (409), not a malformed request — the same request was fine a moment before. A kind of
    ``ValidationFailed``, so a form shows it beside the field like any other."""

    status_code = 409
    code = "conflict"


class UnknownReference(ValidationFailed):
    """An id in the input names nothing (a rule's team, an SLA policy): 404, as for a path id
    (the schema can't say which ids exist). A kind of ``ValidationFailed``, so a form shows it
    beside the field like any other."""

    status_code = 404
    code = "not_found"
