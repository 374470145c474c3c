from . import admin_calendars  # noqa: F401
