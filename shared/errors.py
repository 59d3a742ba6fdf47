"""Domain errors raised by service layers (the web layer turns each into its HTTP status), and NotYet, which
event handlers raise for an event that came before the one it depends on."""


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Invalid(DomainError):
    status = 422
    code = "validation_failed"


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


class NotYet(Exception):
    """An event arrived before one it depends on (its household's registration, say): handle it again later.

    The consumer gives it the same retries as a failure, then the dead-letter queue, and logs it without a
    traceback: with several workers on a queue, arriving early is normal.
    """
