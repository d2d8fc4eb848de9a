"""The one service pattern of the test CAS server: any loopback/testserver URL, every
attribute released, single logout on."""

from django.db import migrations

PATTERN = r"^https?://(127\.0\.0\.1|localhost|\[::1\]|testserver)(:[0-9]+)?(/.*)?$"
ATTRIBUTES = ["mail", "staff_id", "givenName", "sn", "*"]


def create_pattern(apps, schema_editor):
    ServicePattern = apps.get_model("cas_server", "ServicePattern")
    ReplaceAttributName = apps.get_model("cas_server", "ReplaceAttributName")
    pattern, _ = ServicePattern.objects.update_or_create(
        pattern=PATTERN,
        defaults={
            "pos": 1,
            "name": "Dune (tests)",
            "user_field": "",
            "restrict_users": False,
            "proxy": False,
            "proxy_callback": False,
            "single_log_out": True,
            "single_log_out_callback": "",
        },
    )
    for name in ATTRIBUTES:
        ReplaceAttributName.objects.get_or_create(name=name, replace="", service_pattern=pattern)


class Migration(migrations.Migration):
    dependencies = [("cas_server", "__latest__")]
    operations = [migrations.RunPython(create_pattern, migrations.RunPython.noop)]
