"""A test API that mounts the webhooks router with session auth, as the API app would."""

from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from ayuda.config.urls import urlpatterns as site_urls
from ayuda.webhooks.api import router_make

api = NinjaAPI(urls_namespace="webhooks-test", auth=django_auth)
api.add_router("/webhooks", router_make())

urlpatterns = [*site_urls, path("test-api/", api.urls)]
