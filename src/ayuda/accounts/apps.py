from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ayuda.accounts"
    verbose_name = _("accounts")

    def ready(self) -> None:
        from . import authentication  # noqa: F401  (registers the accounts.E001 check)
