"""Errors raised by services. Each carries a translated, user-facing message."""


class AyudaError(Exception):
    """A business rule refused the request. ``message`` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDeniedError(AyudaError):
    pass


class ValidationError(AyudaError):
    """Bad input. ``field`` names the form field at fault, if there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(AyudaError):
    """Someone else changed the object since it was loaded."""
