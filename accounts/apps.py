from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Comptes et connexions")

    def ready(self) -> None:
        # Every sign-in, local or single sign-on, is logged and its session remembered
        # (so that "sign out everywhere" can end it).
        from accounts import signals

        signals.connect()
