from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "referents"
    verbose_name = _("Référents numériques")

    def ready(self) -> None:
        from referents.roles import referent_roles
        from training.roles import register_role_provider

        register_role_provider(referent_roles)

        from referents.reports import coverage

        coverage.register()  # the référents' sections of the audit reports

        from referents.services.anomalies import register as register_anomaly_checks

        register_anomaly_checks()

        from referents.worklist import register_tasks

        register_tasks()  # the référents' work on the home page

        from referents.models import AllowanceInstalment, AllowanceScheme, Appointment, Envelope
        from training import trail

        trail.follow(Appointment, "school__academy")
        trail.follow(AllowanceScheme, None)
        trail.follow(Envelope, "academy")
        trail.follow(AllowanceInstalment, "appointment__school__academy")

        from django.db.models.signals import post_migrate

        from referents import tasks  # noqa: F401  (registered in every process)
        from referents.reference import load_schemes

        post_migrate.connect(load_schemes, sender=self)
