"""Reference data shipped with the code (sources in ``shared/FACTS.md``).

``load_reference_data()`` is idempotent: it creates what is missing and leaves existing
rows as they are (an edit made in the admin survives ``make run``), so running it
twice changes nothing. ``make run`` calls it through
``manage.py load_reference_data``; the test suite loads it once per database.
Everything here stays editable in the admin afterwards (the unverified parts are
marked so).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from training.models import (
    Academy,
    AcademyZone,
    Degree,
    Domain,
    Framework,
    HolidayPeriod,
    HoursTarget,
    Item,
    Modality,
    ParcoursPhase,
    ParcoursTemplate,
    Priority,
    SchoolYear,
    TrainingPlan,
)

ACADEMIES = [
    ("01", "Paris"),
    ("02", "Aix-Marseille"),
    ("03", "Besançon"),
    ("04", "Bordeaux"),
    ("05", "Caen"),
    ("06", "Clermont-Ferrand"),
    ("07", "Dijon"),
    ("08", "Grenoble"),
    ("09", "Lille"),
    ("10", "Lyon"),
    ("11", "Montpellier"),
    ("12", "Nancy-Metz"),
    ("13", "Poitiers"),
    ("14", "Rennes"),
    ("15", "Strasbourg"),
    ("16", "Toulouse"),
    ("17", "Nantes"),
    ("18", "Orléans-Tours"),
    ("19", "Reims"),
    ("20", "Amiens"),
    ("21", "Rouen"),
    ("22", "Limoges"),
    ("23", "Nice"),
    ("24", "Créteil"),
    ("25", "Versailles"),
    ("27", "Corse"),
    ("28", "La Réunion"),
    ("31", "Martinique"),
    ("32", "Guadeloupe"),
    ("33", "Guyane"),
]

# School year 2010-2011: administrative year 1 Sept – 31 Aug.
SCHOOL_YEAR_2010 = {"name": "2010-2011", "start": dt.date(2010, 9, 1), "end": dt.date(2011, 8, 31)}

# Holiday zones 2010-2011, by académie name. Corse and the overseas académies keep a
# calendar of their own and have no zone.
ZONES_2010 = {
    "A": [
        "Caen",
        "Clermont-Ferrand",
        "Grenoble",
        "Lyon",
        "Montpellier",
        "Nancy-Metz",
        "Nantes",
        "Rennes",
        "Toulouse",
    ],
    "B": [
        "Aix-Marseille",
        "Amiens",
        "Besançon",
        "Dijon",
        "Lille",
        "Limoges",
        "Nice",
        "Orléans-Tours",
        "Poitiers",
        "Reims",
        "Rouen",
        "Strasbourg",
    ],
    "C": ["Bordeaux", "Créteil", "Paris", "Versailles"],
}

# (name, zone or "" for every zone, classes end after this day, classes resume this day)
HOLIDAYS_2010 = [
    ("Toussaint", "", dt.date(2010, 10, 23), dt.date(2010, 11, 4)),
    ("Noël", "", dt.date(2010, 12, 18), dt.date(2011, 1, 3)),
    ("Hiver", "A", dt.date(2011, 2, 26), dt.date(2011, 3, 14)),
    ("Hiver", "B", dt.date(2011, 2, 19), dt.date(2011, 3, 7)),
    ("Hiver", "C", dt.date(2011, 2, 12), dt.date(2011, 2, 28)),
    ("Printemps", "A", dt.date(2011, 4, 23), dt.date(2011, 5, 9)),
    ("Printemps", "B", dt.date(2011, 4, 16), dt.date(2011, 5, 2)),
    ("Printemps", "C", dt.date(2011, 4, 9), dt.date(2011, 4, 26)),
    # Summer: from 2 July; classes of the next year resume in September 2011.
    ("Été", "", dt.date(2011, 7, 2), dt.date(2011, 9, 5)),
]

# National training plan 2010-2011. The digital-usage priority is the one FACTS.md
# names; the titles of the other four are unverified and stay editable data.
NATIONAL_PLAN_2010 = {
    "title": "Plan national de formation 2010-2011",
    "priorities": [
        ("langue", "Maîtrise de la langue française"),
        ("langues-vivantes", "Enseignement des langues vivantes étrangères"),
        ("sciences", "Culture scientifique et technologique"),
        ("numerique", "Développement des usages du numérique"),
        ("parcours", "Personnalisation des parcours et accompagnement des élèves"),
    ],
    # 1er degré: 18 h a year of animations pédagogiques et formation, at least 9 h of
    # formation, which may be partly or wholly online. The 2nd degré has no fixed
    # yearly amount (its training comes from the académie's plan).
    "targets": [(Degree.FIRST, 18 * 60, 9 * 60, True)],
}

C2I2E = {
    "code": "C2i2e-2011",
    "title": "C2i niveau 2 « enseignant »",
    "source": "Arrêté du 14 décembre 2010",
    "min_validated_items": 23,
    "max_missing_per_domain": 2,
    # The arrêté also asks for a teaching or training situation led by the candidate.
    "min_situations": 1,
    "blocks": [
        (
            "A",
            "Compétences générales liées à l'exercice du métier",
            [
                (
                    "A.1",
                    "Maîtrise de l'environnement numérique professionnel",
                    [
                        "Identifier les personnes ressources Tic et leurs rôles respectifs au niveau local, régional et national.",
                        "S'approprier différentes composantes informatiques (lieux, outils, ...) de son environnement professionnel.",
                        "Choisir et utiliser les ressources et services disponibles dans un espace numérique de travail (ENT).",
                        "Choisir et utiliser les outils les plus adaptés pour communiquer avec les acteurs et usagers du système éducatif.",
                        "Se constituer et organiser des ressources en utilisant des sources professionnelles.",
                    ],
                ),
                (
                    "A.2",
                    "Développement des compétences pour la formation tout au long de la vie",
                    [
                        "Utiliser des ressources en ligne ou des dispositifs de formation à distance pour sa formation.",
                        "Se référer à des travaux de recherche liant savoirs, apprentissages et Tice.",
                        "Pratiquer une veille pédagogique, institutionnelle, scientifique à travers des réseaux d'échanges concernant son domaine, sa discipline, son niveau d'enseignement.",
                    ],
                ),
                (
                    "A.3",
                    "Responsabilité professionnelle dans le cadre du système éducatif",
                    [
                        "S'exprimer et communiquer en s'adaptant aux différents destinataires et espaces de diffusion (institutionnel, public, privé, interne, externe, ...).",
                        "Prendre en compte les enjeux et respecter les règles concernant notamment : la recherche et les critères de contrôle de validité des informations ; la sécurité informatique ; le filtrage internet.",
                        "Prendre en compte les lois et les exigences d'une utilisation professionnelle des Tice concernant notamment : la protection des libertés individuelles et publiques ; la sécurité des personnes ; la protection des mineurs ; la confidentialité des données ; la propriété intellectuelle ; le droit à l'image.",
                        "Respecter et faire respecter la (les) charte(s) d'usage de l'établissement, notamment dans une perspective éducative d'apprentissage de la citoyenneté.",
                    ],
                ),
            ],
        ),
        (
            "B",
            "Compétences nécessaires à l'intégration des TICE dans sa pratique",
            [
                (
                    "B.1",
                    "Travail en réseau avec l'utilisation des outils de travail collaboratif",
                    [
                        "Rechercher, produire, indexer, partager et mutualiser des documents, des informations, des ressources dans un environnement numérique.",
                        "Contribuer à une production ou à un projet collectif au sein d'équipes disciplinaires, interdisciplinaires, transversales ou éducatives.",
                        "Organiser, coordonner et animer un travail en réseau au sein d'équipes disciplinaires, interdisciplinaires, transversales ou éducatives.",
                    ],
                ),
                (
                    "B.2",
                    "Conception et préparation de contenus d'enseignement et de situations d'apprentissage",
                    [
                        "Identifier les situations d'apprentissage propices à l'utilisation des Tice.",
                        "Concevoir des situations d'apprentissage et d'évaluation mettant en œuvre des logiciels généraux ou spécifiques à la discipline, au domaine et niveau d'enseignement.",
                        "Concevoir des situations d'apprentissage et d'évaluation mettant en œuvre des démarches de recherche d'information.",
                        "Préparer des ressources adaptées à la diversité des publics et des situations pédagogiques : en opérant des choix entre les supports et médias utilisables ; en respectant les règles de la communication.",
                        "Concevoir des situations ou dispositifs de formation introduisant de la mise à distance.",
                    ],
                ),
                (
                    "B.3",
                    "Mise en œuvre pédagogique en présentiel et à distance",
                    [
                        "Conduire des situations d'apprentissage diversifiées en tirant parti du potentiel des Tic (travail collectif, individualisé, en petits groupes).",
                        "Gérer l'alternance entre les activités utilisant les Tice et celles qui n'y ont pas recours.",
                        "Gérer des temps et des modalités de travail différenciés, en présentiel et/ou à distance pour prendre en compte la diversité des élèves, des étudiants, des stagiaires.",
                        "Utiliser les Tice pour accompagner, tutorer des élèves, des étudiants, des stagiaires dans la réalisation de leurs travaux, leurs projets, leurs recherches.",
                        "Anticiper un incident technique ou savoir y faire face.",
                    ],
                ),
                (
                    "B.4",
                    "Compétences d'évaluation",
                    [
                        "Identifier les compétences des référentiels Tic (B2i, C2i) mises en œuvre dans une situation de formation proposée aux élèves, aux étudiants, aux stagiaires.",
                        "S'intégrer dans une démarche collective d'évaluation des compétences Tic (B2i ou C2i).",
                        "Utiliser des outils d'évaluation et de suivi pédagogique.",
                    ],
                ),
            ],
        ),
    ],
}

# Pairform@nce-style parcours (unverified as an official list: an editable template).
# (title, modality, planned minutes, days after the previous phase starts)
PAIRFORMANCE = {
    "code": "pairformance",
    "title": "Parcours hybride Pairform@nce",
    "description": "Introduction en présentiel, travail d'équipe à distance, mise en œuvre en "
    "classe, retour réflexif, bilan et évaluation.",
    "phases": [
        ("Introduction", Modality.IN_PERSON, 180, 0),
        ("Choix des contenus et constitution des équipes", Modality.SELF_PACED, 120, 1),
        ("Conception collaborative d'une séquence", Modality.SELF_PACED, 360, 7),
        ("Mise en œuvre en classe", Modality.SELF_PACED, 120, 14),
        ("Retour réflexif", Modality.SELF_PACED, 120, 14),
        ("Bilan et mutualisation", Modality.IN_PERSON, 180, 7),
        ("Évaluation de la formation", Modality.SELF_PACED, 30, 1),
    ],
}


@transaction.atomic
def load_reference_data() -> None:
    academies = {}
    for code, name in ACADEMIES:
        academies[name], _ = Academy.objects.get_or_create(code=code, defaults={"name": name})

    year, _ = SchoolYear.objects.get_or_create(
        name=SCHOOL_YEAR_2010["name"],
        defaults={"start": SCHOOL_YEAR_2010["start"], "end": SCHOOL_YEAR_2010["end"]},
    )
    for zone, names in ZONES_2010.items():
        for name in names:
            AcademyZone.objects.get_or_create(
                academy=academies[name], school_year=year, defaults={"zone": zone}
            )
    for name, zone, classes_end, classes_resume in HOLIDAYS_2010:
        HolidayPeriod.objects.get_or_create(
            school_year=year,
            name=name,
            zone=zone,
            defaults={"classes_end": classes_end, "classes_resume": classes_resume},
        )

    plan, _ = TrainingPlan.objects.get_or_create(
        school_year=year, defaults={"title": NATIONAL_PLAN_2010["title"]}
    )
    for order, (code, title) in enumerate(NATIONAL_PLAN_2010["priorities"], start=1):
        Priority.objects.get_or_create(
            plan=plan, code=code, defaults={"title": title, "order": order}
        )
    for degree, target, minimum, online in NATIONAL_PLAN_2010["targets"]:
        HoursTarget.objects.get_or_create(
            plan=plan,
            degree=degree,
            defaults={
                "target_minutes": target,
                "min_training_minutes": minimum,
                "online_allowed": online,
            },
        )

    load_framework(C2I2E)

    template, created = ParcoursTemplate.objects.get_or_create(
        code=PAIRFORMANCE["code"],
        defaults={"title": PAIRFORMANCE["title"], "description": PAIRFORMANCE["description"]},
    )
    if created:
        for order, (title, modality, minutes, offset) in enumerate(PAIRFORMANCE["phases"], 1):
            ParcoursPhase.objects.create(
                template=template,
                order=order,
                title=title,
                modality=modality,
                minutes=minutes,
                offset_days=offset,
            )


def school_year_bounds(day: dt.date) -> tuple[str, dt.date, dt.date]:
    """The name and dates of the administrative school year containing ``day``
    (1 September – 31 August)."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{first + 1}", dt.date(first, 9, 1), dt.date(first + 1, 8, 31)


@transaction.atomic
def ensure_school_year(day: dt.date) -> SchoolYear:
    """The school year containing ``day``, created when missing with a national plan
    copied from the latest year that has one (same priorities and hours targets, a
    title the ministry edits in the admin). Holiday periods and zones come from the
    ministry's calendar (``manage.py import_calendrier_scolaire``)."""
    name, start, end = school_year_bounds(day)
    year, _ = SchoolYear.objects.get_or_create(name=name, defaults={"start": start, "end": end})
    if TrainingPlan.objects.filter(school_year=year).exists():
        return year
    reference = (
        TrainingPlan.objects.filter(school_year__start__lt=year.start)
        .order_by("-school_year__start")
        .first()
    )
    plan = TrainingPlan.objects.create(
        school_year=year, title=f"Plan national de formation {year.name}"
    )
    if reference is not None:
        Priority.objects.bulk_create(
            Priority(plan=plan, code=p.code, title=p.title, order=p.order)
            for p in reference.priorities.all()
        )
        HoursTarget.objects.bulk_create(
            HoursTarget(
                plan=plan,
                degree=t.degree,
                target_minutes=t.target_minutes,
                min_training_minutes=t.min_training_minutes,
                online_allowed=t.online_allowed,
            )
            for t in reference.targets.all()
        )
    return year


def load_framework(data: dict) -> Framework:
    """Load a competence framework given as data (C2i2e here; B2i or CRCN the same way)."""
    framework, _ = Framework.objects.get_or_create(
        code=data["code"],
        defaults={
            "title": data["title"],
            "source": data["source"],
            "min_validated_items": data["min_validated_items"],
            "max_missing_per_domain": data["max_missing_per_domain"],
            "min_situations": data.get("min_situations", 0),
        },
    )
    order = 0
    for block_code, block_title, domains in data["blocks"]:
        for domain_code, domain_title, items in domains:
            order += 1
            domain, _ = Domain.objects.get_or_create(
                framework=framework,
                code=domain_code,
                defaults={
                    "title": domain_title,
                    "block_code": block_code,
                    "block_title": block_title,
                    "order": order,
                },
            )
            for number, title in enumerate(items, start=1):
                Item.objects.get_or_create(
                    domain=domain,
                    code=f"{domain_code}-{number}",
                    defaults={"title": title, "order": number},
                )
    return framework
