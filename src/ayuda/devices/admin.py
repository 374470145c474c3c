from . import admin_rules  # noqa: F401  (scan rules and health incidents)
