"""Refusals of the enterprise-services writes: `message` is shown to the user, `status` is the API's answer."""


class ServiceError(Exception):
    """A refused write (bad input): nothing was written."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class Refused(ServiceError):
    """A step out of order (a transition the current status does not allow)."""

    status = 409


class NotPermitted(ServiceError):
    """The user may see the record but not do this to it."""

    status = 403
