from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo desk ``make run`` loads. At the top of the dependency order: it uses every app
    and no app uses it. It has no models; it shows no page (so no translated name)."""

    name = "ayuda.demo"
