from django.apps import AppConfig


class CasFixtureConfig(AppConfig):
    """The fixture's own app: the JSON users auth class, the service-pattern data migration
    and the offline stand-ins for the CDN assets of django-cas-server's templates."""

    name = "tests.providers.cas"
    label = "cas_fixture"
    verbose_name = "CAS test fixture"
    default_auto_field = "django.db.models.AutoField"
