"""The demo desk: reference data (``data``), the loader (``loader``), ``manage.py load_demo``."""
