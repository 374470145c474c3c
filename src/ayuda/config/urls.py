from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from ayuda.api.main import api, not_found
from ayuda.core.views import health

urlpatterns = [
    path("health", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", not_found, name="api_not_found"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("ayuda.web.urls")),
]
