from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ayuda.api"
    label = "api"
    verbose_name = "API"
