import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0004_attendance_ledger_evidence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("schools", "Établissements"),
                            ("staff", "Personnels"),
                            ("gaia_formations", "GAIA : formations"),
                            ("gaia_trainers", "GAIA : intervenants"),
                            ("gaia_trainees", "GAIA : stagiaires"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("filename", models.CharField(max_length=255, verbose_name="fichier")),
                ("content", models.BinaryField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "En attente de vérification"),
                            ("checking", "Vérification en cours"),
                            ("checked", "Vérifié, en attente de confirmation"),
                            ("refused", "Fichier refusé"),
                            ("confirmed", "Confirmé, en attente d'écriture"),
                            ("applying", "Écriture en cours"),
                            ("done", "Importé"),
                            ("failed", "Échec"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="état",
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="motif du refus du fichier")),
                ("encoding", models.CharField(blank=True, max_length=12, verbose_name="encodage")),
                ("lines", models.PositiveIntegerField(default=0, verbose_name="lignes")),
                ("created_count", models.PositiveIntegerField(default=0, verbose_name="créations")),
                (
                    "updated_count",
                    models.PositiveIntegerField(default=0, verbose_name="mises à jour"),
                ),
                (
                    "unchanged_count",
                    models.PositiveIntegerField(default=0, verbose_name="inchangées"),
                ),
                (
                    "refused_count",
                    models.PositiveIntegerField(default=0, verbose_name="lignes refusées"),
                ),
                (
                    "refused_lines",
                    models.JSONField(blank=True, default=list, verbose_name="lignes refusées"),
                ),
                (
                    "progress",
                    models.PositiveSmallIntegerField(default=0, verbose_name="avancement (%)"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="déposé le")),
                (
                    "checked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="vérifié le"),
                ),
                (
                    "confirmed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="confirmé le"),
                ),
                (
                    "applied_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="importé le"),
                ),
                (
                    "academy",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="import_runs",
                        to="training.academy",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="import_runs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "import",
                "verbose_name_plural": "imports",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["academy", "-created_at"], name="importrun_academy_created"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="session",
            name="gaia_id",
            field=models.CharField(
                blank=True,
                db_index=True,
                max_length=20,
                verbose_name="identifiant GAIA de la session",
            ),
        ),
        migrations.AddField(
            model_name="slot",
            name="gaia_key",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.AddIndex(
            model_name="slot",
            index=models.Index(fields=["gaia_key"], name="slot_gaia_key"),
        ),
    ]
