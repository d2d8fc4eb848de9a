from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = _("Formation")

    def ready(self) -> None:
        # The tasks are registered in every process, the web one too (Celery's
        # autodiscovery only runs in a worker): services enqueue them by name through
        # ``training.jobs``, which looks them up in the app's registry.
        from training import (
            tasks,  # noqa: F401
            trail,
        )

        trail.register()  # every change of the followed models is recorded
