import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("training", "0007_audit_exports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AcademyYearClosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("closed_at", models.DateTimeField(verbose_name="close le")),
                (
                    "open_anomalies",
                    models.PositiveIntegerField(
                        default=0, verbose_name="anomalies ouvertes à la clôture"
                    ),
                ),
                (
                    "academy",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="closures",
                        to="training.academy",
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "school_year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="closures",
                        to="training.schoolyear",
                    ),
                ),
            ],
            options={
                "verbose_name": "clôture d'une année par une académie",
                "verbose_name_plural": "clôtures d'années par académie",
                "ordering": ["-closed_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("academy", "school_year"), name="closure_one_per_academy_year"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Anomaly",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=40, verbose_name="type")),
                ("object_id", models.PositiveBigIntegerField()),
                ("message", models.CharField(max_length=500, verbose_name="constat")),
                ("url", models.CharField(blank=True, max_length=300, verbose_name="lien")),
                ("found_at", models.DateTimeField(verbose_name="détectée le")),
                ("seen_at", models.DateTimeField(verbose_name="vue pour la dernière fois le")),
                (
                    "resolved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="résolue le"),
                ),
                (
                    "academy",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="anomalies",
                        to="training.academy",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "school_year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="anomalies",
                        to="training.schoolyear",
                    ),
                ),
            ],
            options={
                "verbose_name": "anomalie",
                "verbose_name_plural": "anomalies",
                "ordering": ["code", "-found_at", "pk"],
                "indexes": [
                    models.Index(
                        fields=["academy", "school_year", "resolved_at"],
                        name="training_an_academy_73914c_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("resolved_at__isnull", True)),
                        fields=("code", "content_type", "object_id"),
                        name="anomaly_one_open_per_object",
                    )
                ],
            },
        ),
    ]
