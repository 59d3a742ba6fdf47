"""Domain errors raised by service layers (the web layer turns each into its HTTP status), the reasons they
carry, and NotYet, which event handlers raise for an event that came before the one it depends on.

A reason is English text that also carries a stable code and its parameters (see `shared.reasons`): the API
answers with all three, and the gateway shows the user the code's words in their language from its catalogs.
"""


class Reason(str):
    """An English message that knows its code and parameters; a str, so marshmallow and logs take it as is."""

    code: str
    params: dict

    def __new__(cls, text: str, *, code: str, params: dict | None = None):
        self = super().__new__(cls, text)
        self.code = code
        self.params = dict(params or {})
        return self

    def __reduce__(self):  # survives copying and pickling (marshmallow deep-copies error messages)
        return (_rebuild, (str(self), self.code, self.params))

    def as_json(self) -> dict:
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}


def _rebuild(text, code, params):
    return Reason(text, code=code, params=params)


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):  # nested reasons' {code, params}
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def reason(self) -> dict | None:
        """The message's code and parameters, when it is a `Reason`."""
        return self.message.as_json() if isinstance(self.message, Reason) else None


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


class Gone(DomainError):
    """The thing exists but can no longer be used (an expired or closed sign-up link, say)."""

    status = 410
    code = "gone"


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


class NotYet(Exception):
    """An event arrived before one it depends on (its household's registration, say): handle it again later.

    The consumer gives it the same retries as a failure, then the dead-letter queue, and logs it without a
    traceback: with several workers on a queue, arriving early is normal.
    """
