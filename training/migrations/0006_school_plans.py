import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0005_imports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SchoolPlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveSmallIntegerField(default=1, verbose_name="version")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Brouillon"),
                            ("submitted", "Soumis au chef d'établissement"),
                            ("approved", "Approuvé"),
                            ("returned", "Renvoyé pour modification"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="état",
                    ),
                ),
                (
                    "head_comment",
                    models.TextField(
                        blank=True, verbose_name="commentaire du chef d'établissement"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="soumis le"),
                ),
                (
                    "approved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="approuvé le"),
                ),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approuvé par",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="training_plans",
                        to="training.school",
                        verbose_name="établissement",
                    ),
                ),
                (
                    "school_year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="school_plans",
                        to="training.schoolyear",
                        verbose_name="année scolaire",
                    ),
                ),
            ],
            options={
                "verbose_name": "plan de formation d'établissement",
                "verbose_name_plural": "plans de formation d'établissement",
                "ordering": ["school_year", "school", "version"],
            },
        ),
        migrations.CreateModel(
            name="SchoolPlanEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("created", "Plan créé"),
                            ("version_opened", "Nouvelle version ouverte"),
                            ("line_added", "Ligne ajoutée"),
                            ("line_changed", "Ligne modifiée"),
                            ("line_removed", "Ligne supprimée"),
                            ("submitted", "Soumis au chef d'établissement"),
                            ("returned", "Renvoyé avec un commentaire"),
                            ("approved", "Approuvé"),
                        ],
                        max_length=16,
                        verbose_name="action",
                    ),
                ),
                (
                    "from_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("draft", "Brouillon"),
                            ("submitted", "Soumis au chef d'établissement"),
                            ("approved", "Approuvé"),
                            ("returned", "Renvoyé pour modification"),
                        ],
                        max_length=10,
                        verbose_name="état avant",
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("draft", "Brouillon"),
                            ("submitted", "Soumis au chef d'établissement"),
                            ("approved", "Approuvé"),
                            ("returned", "Renvoyé pour modification"),
                        ],
                        max_length=10,
                        verbose_name="état après",
                    ),
                ),
                ("detail", models.TextField(blank=True, verbose_name="détail")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="le")),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="training.schoolplan",
                    ),
                ),
            ],
            options={
                "verbose_name": "historique de plan de formation",
                "verbose_name_plural": "historiques de plans de formation",
                "ordering": ["at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="SchoolPlanLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("theme", models.CharField(blank=True, max_length=200, verbose_name="thème")),
                (
                    "planned_minutes",
                    models.PositiveIntegerField(verbose_name="durée prévue par personne (minutes)"),
                ),
                (
                    "modality",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("in_person", "Présentiel"),
                            ("virtual", "Classe virtuelle"),
                            ("self_paced", "À distance (travail en ligne)"),
                        ],
                        max_length=12,
                        verbose_name="modalité",
                    ),
                ),
                ("order", models.PositiveIntegerField(default=0, verbose_name="ordre")),
                (
                    "module",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="school_plan_lines",
                        to="training.module",
                        verbose_name="module du catalogue",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="training.schoolplan",
                    ),
                ),
                (
                    "priority",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="school_plan_lines",
                        to="training.priority",
                        verbose_name="priorité",
                    ),
                ),
                (
                    "target_staff",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Aucun : tous les personnels de l'établissement.",
                        related_name="school_plan_lines",
                        to="training.staff",
                        verbose_name="personnels visés",
                    ),
                ),
            ],
            options={
                "verbose_name": "ligne de plan de formation",
                "verbose_name_plural": "lignes de plan de formation",
                "ordering": ["plan", "order", "pk"],
            },
        ),
        migrations.CreateModel(
            name="TrainingNeed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("theme", models.CharField(max_length=200, verbose_name="thème")),
                ("description", models.TextField(blank=True, verbose_name="précisions")),
                (
                    "modality",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("in_person", "Présentiel"),
                            ("virtual", "Classe virtuelle"),
                            ("self_paced", "À distance (travail en ligne)"),
                        ],
                        max_length=12,
                        verbose_name="modalité souhaitée",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="exprimé le")),
                (
                    "items",
                    models.ManyToManyField(
                        blank=True,
                        related_name="training_needs",
                        to="training.item",
                        verbose_name="items C2i2e",
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="training_needs",
                        to="training.school",
                    ),
                ),
                (
                    "school_year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="training_needs",
                        to="training.schoolyear",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="training_needs",
                        to="training.staff",
                    ),
                ),
            ],
            options={
                "verbose_name": "besoin de formation",
                "verbose_name_plural": "besoins de formation",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="schoolplan",
            constraint=models.UniqueConstraint(
                fields=("school", "school_year", "version"), name="schoolplan_unique_version"
            ),
        ),
        migrations.AddConstraint(
            model_name="schoolplan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "approved"), _negated=True),
                fields=("school", "school_year"),
                name="schoolplan_one_open_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="schoolplan",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "approved"), _negated=True),
                    ("approved_at__isnull", False),
                    _connector="OR",
                ),
                name="schoolplan_approved_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="schoolplanline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("theme", ""), _negated=True),
                    ("module__isnull", False),
                    _connector="OR",
                ),
                name="schoolplanline_theme_or_module",
            ),
        ),
        migrations.AddConstraint(
            model_name="schoolplanline",
            constraint=models.CheckConstraint(
                condition=models.Q(("planned_minutes__gt", 0)),
                name="schoolplanline_minutes_positive",
            ),
        ),
        migrations.AddIndex(
            model_name="trainingneed",
            index=models.Index(
                fields=["school", "school_year"], name="training_tr_school__181296_idx"
            ),
        ),
    ]
