"""The health endpoint (R36): database and broker status for load balancers and monitors.

Everyone gets the status (``ok`` with 200, ``error`` with 503). The details (database vendor,
broker transport, the class name of the error, the version) tell an attacker what to aim at, so
they go only to signed-in help-desk staff and to the client addresses in
``AYUDA_HEALTH_DETAIL_ALLOW`` (read through ``AYUDA_TRUSTED_PROXIES``).
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .clients import client_in, networks_parse


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return False, exc.__class__.__name__
    return True, connection.vendor


def _broker_ok() -> tuple[bool, str]:
    from ayuda.config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, str(transport)


def _details_allowed(request) -> bool:
    user = request.user
    if user.is_authenticated and (user.is_staff or getattr(user, "is_helpdesk", False)):
        return True
    networks, _ = networks_parse(settings.AYUDA_HEALTH_DETAIL_ALLOW)
    return client_in(request, networks=networks)


@never_cache
@require_GET
def health(request):
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    healthy = db_ok and broker_ok
    body: dict = {"status": "ok" if healthy else "error"}
    if _details_allowed(request):
        body |= {
            "database": {"ok": db_ok, "detail": db_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
            "version": getattr(settings, "AYUDA_VERSION", "0.1.0"),
        }
    return JsonResponse(body, status=200 if healthy else 503)
