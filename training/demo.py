"""The demo académie's directory: districts, schools, staff and the named demo accounts.

Deterministic (a seeded generator, keys derived from positions) and idempotent (rows
are inserted with ``ignore_conflicts`` on their natural keys), so that running the
seed twice changes nothing. Built with ``bulk_create`` in batches so that
``--schools 2000 --staff 100000`` takes seconds, for the benchmarks.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from training.models import (
    Academy,
    Degree,
    District,
    RoleMembership,
    School,
    SchoolKind,
    Staff,
    degree_of_kind,
)
from training.validators import uai_check_letter

DEMO_ACADEMY_CODE = "25"  # Versailles
DEPARTEMENTS = ["078", "091", "092", "095"]
BASSINS = ["Versailles", "Saint-Germain-en-Laye", "Mantes-la-Jolie", "Évry", "Nanterre", "Cergy"]
CIRCONSCRIPTIONS = ["Versailles 1", "Versailles 2", "Rambouillet", "Massy", "Boulogne", "Pontoise"]
CITIES = [
    "Versailles",
    "Saint-Germain-en-Laye",
    "Mantes-la-Jolie",
    "Rambouillet",
    "Évry",
    "Massy",
    "Palaiseau",
    "Nanterre",
    "Boulogne-Billancourt",
    "Antony",
    "Cergy",
    "Pontoise",
    "Argenteuil",
    "Sarcelles",
]
PATRONS = [
    "Jules Ferry",
    "Jean Jaurès",
    "Victor Hugo",
    "Marie Curie",
    "Jean Moulin",
    "Louise Michel",
    "Albert Camus",
    "Pierre Mendès France",
    "Condorcet",
    "Simone Veil",
    "Jacques Prévert",
    "Paul Langevin",
    "Colette",
    "Jean de La Fontaine",
    "Pablo Picasso",
    "Camille Claudel",
]
KIND_LABELS = {
    SchoolKind.ECOLE_MATERNELLE: "École maternelle",
    SchoolKind.ECOLE_ELEMENTAIRE: "École élémentaire",
    SchoolKind.ECOLE_PRIMAIRE: "École primaire",
    SchoolKind.COLLEGE: "Collège",
    SchoolKind.LEGT: "Lycée",
    SchoolKind.LP: "Lycée professionnel",
    SchoolKind.LPO: "Lycée polyvalent",
}
# Share of each kind among schools, and relative staff size (roughly an académie's).
KIND_MIX = [
    (SchoolKind.ECOLE_MATERNELLE, 20, 6),
    (SchoolKind.ECOLE_ELEMENTAIRE, 30, 10),
    (SchoolKind.ECOLE_PRIMAIRE, 10, 12),
    (SchoolKind.COLLEGE, 26, 45),
    (SchoolKind.LEGT, 7, 90),
    (SchoolKind.LP, 4, 60),
    (SchoolKind.LPO, 3, 110),
]
FIRST_NAMES = [
    "Claire", "Nicolas", "Sophie", "Julien", "Isabelle", "Thomas", "Nathalie", "Stéphane",
    "Céline", "Sébastien", "Valérie", "Laurent", "Sandrine", "Frédéric", "Hélène", "Olivier",
    "Émilie", "François", "Aurélie", "Mathieu", "Cécile", "Jérôme", "Élodie", "Benoît",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont",
]  # fmt: skip
SECOND_DEGREE_DISCIPLINES = [
    "Lettres modernes", "Mathématiques", "Histoire-géographie", "Anglais", "Espagnol",
    "Allemand", "Sciences de la vie et de la Terre", "Physique-chimie", "Technologie",
    "Éducation physique et sportive", "Arts plastiques", "Éducation musicale",
    "Sciences économiques et sociales", "Philosophie",
]  # fmt: skip
BATCH = 5000


@dataclass
class DemoDirectory:
    academy: Academy
    schools: list[School] = field(default_factory=list)
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (username, description)


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def demo_uai(index: int) -> str:
    """A valid UAI for the index-th demo school: département, serial, check letter."""
    departement = DEPARTEMENTS[index % len(DEPARTEMENTS)]
    serial = 1000 + index // len(DEPARTEMENTS)
    digits = f"{departement}{serial:04d}"
    return digits + uai_check_letter(digits)


def _kinds(n_schools: int, rng: random.Random) -> list[str]:
    """n kinds in the académie's mix, the first ones covering every kind."""
    kinds = [kind for kind, _share, _size in KIND_MIX]
    weights = [share for _kind, share, _size in KIND_MIX]
    return (kinds + rng.choices(kinds, weights=weights, k=max(0, n_schools - len(kinds))))[
        :n_schools
    ]


def seed_directory(*, n_schools: int, n_staff: int, seed: int = 2010) -> DemoDirectory:
    rng = random.Random(seed)
    academy = Academy.objects.get(code=DEMO_ACADEMY_CODE)
    User = get_user_model()
    # One hash for every generated account: hashing 100 000 passwords one by one would
    # take hours, and these are demo accounts with one published password.
    password = make_password(settings.DUNE_DEMO_PASSWORD)

    districts = {}
    for kind, names in (
        (District.Kind.BASSIN, BASSINS),
        (District.Kind.CIRCONSCRIPTION, CIRCONSCRIPTIONS),
    ):
        for name in names:
            districts[(kind, name)], _ = District.objects.get_or_create(
                academy=academy, kind=kind, name=name
            )

    kinds = _kinds(n_schools, rng)
    schools = []
    for index, kind in enumerate(kinds):
        degree = degree_of_kind(kind)
        district_kind = (
            District.Kind.CIRCONSCRIPTION if degree == Degree.FIRST else District.Kind.BASSIN
        )
        district_names = CIRCONSCRIPTIONS if degree == Degree.FIRST else BASSINS
        city = rng.choice(CITIES)
        schools.append(
            School(
                uai=demo_uai(index),
                name=f"{KIND_LABELS[kind]} {rng.choice(PATRONS)} — {city}",
                kind=kind,
                degree=degree,
                academy=academy,
                district=districts[(district_kind, rng.choice(district_names))],
                city=city,
            )
        )
    School.objects.bulk_create(schools, batch_size=BATCH, ignore_conflicts=True)
    by_uai = {s.uai: s for s in School.objects.filter(uai__in=[s.uai for s in schools])}
    schools = [by_uai[s.uai] for s in schools]

    # Staff spread over schools by their size.
    sizes = {kind: size for kind, _share, size in KIND_MIX}
    assigned = rng.choices(schools, weights=[sizes[s.kind] for s in schools], k=n_staff)
    # The first schools each get at least one teacher, so every kind has staff.
    for index, school in enumerate(schools[: min(len(schools), n_staff)]):
        assigned[index] = school
    users, profiles = [], []
    for index, school in enumerate(assigned):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"agent{index:06d}"
        users.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{ascii_slug(first)}.{ascii_slug(last)}{index}@ac-versailles.fr",
                password=password,
            )
        )
        discipline = "" if school.degree == Degree.FIRST else rng.choice(SECOND_DEGREE_DISCIPLINES)
        profiles.append((username, school, discipline))
    for start in range(0, len(users), BATCH):
        User.objects.bulk_create(users[start : start + BATCH], ignore_conflicts=True)
    user_ids = dict(User.objects.filter(username__startswith="agent").values_list("username", "pk"))
    staff_rows = [
        Staff(
            user_id=user_ids[username],
            staff_id=f"DEMO{index:07d}",
            school=school,
            discipline=discipline,
            degree=school.degree,
        )
        for index, (username, school, discipline) in enumerate(profiles)
    ]
    Staff.objects.bulk_create(staff_rows, batch_size=BATCH, ignore_conflicts=True)

    # One head per school.
    heads = [
        User(
            username=f"chef.{school.uai.lower()}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"ce.{school.uai.lower()}@ac-versailles.fr",
            password=password,
        )
        for school in schools
    ]
    User.objects.bulk_create(heads, batch_size=BATCH, ignore_conflicts=True)
    head_ids = dict(User.objects.filter(username__startswith="chef.").values_list("username", "pk"))
    RoleMembership.objects.bulk_create(
        [
            RoleMembership(
                user_id=head_ids[f"chef.{s.uai.lower()}"], role=RoleMembership.Role.HEAD, school=s
            )
            for s in schools
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )

    demo = DemoDirectory(academy=academy, schools=schools)
    _seed_named_accounts(demo, password)
    return demo


def _named_user(username: str, first: str, last: str, password: str, **extra):
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.dune.invalid",
            "password": password,
            **extra,
        },
    )
    return user


def _seed_named_accounts(demo: DemoDirectory, password: str) -> None:
    """The accounts printed by ``make run``, one per role, around one collège."""
    college = next(s for s in demo.schools if s.kind == SchoolKind.COLLEGE)
    other = next(s for s in demo.schools if s.kind == SchoolKind.LEGT)
    Role = RoleMembership.Role

    teacher = _named_user("enseignant", "Claire", "Martin", password)
    Staff.objects.get_or_create(
        user=teacher,
        defaults={
            "staff_id": "DEMO-ENS",
            "school": college,
            "discipline": "Mathématiques",
            "degree": 2,
        },
    )
    referent = _named_user("referent", "Julien", "Moreau", password)
    Staff.objects.get_or_create(
        user=referent,
        defaults={
            "staff_id": "DEMO-REF",
            "school": college,
            "discipline": "Technologie",
            "degree": 2,
        },
    )
    head = _named_user("directeur", "Hélène", "Dupont", password)
    RoleMembership.objects.get_or_create(user=head, role=Role.HEAD, school=college)
    trainer = _named_user("formateur", "Olivier", "Girard", password)
    Staff.objects.get_or_create(
        user=trainer,
        defaults={
            "staff_id": "DEMO-FOR",
            "school": other,
            "discipline": "Physique-chimie",
            "degree": 2,
        },
    )
    RoleMembership.objects.get_or_create(user=trainer, role=Role.TRAINER, academy=demo.academy)
    auditor = _named_user("auditeur", "Valérie", "Lefèvre", password)
    RoleMembership.objects.get_or_create(user=auditor, role=Role.AUDITOR, academy=demo.academy)
    manager = _named_user("gestionnaire", "Laurent", "Mercier", password)
    RoleMembership.objects.get_or_create(user=manager, role=Role.MANAGER, academy=demo.academy)
    national = _named_user("national", "Cécile", "Roux", password, is_staff=True, is_superuser=True)
    RoleMembership.objects.get_or_create(user=national, role=Role.NATIONAL)

    demo.accounts = [
        ("enseignant", f"enseignante de mathématiques, {college.name}"),
        ("referent", f"référent numérique, {college.name}"),
        ("directeur", f"principale, {college.name}"),
        ("formateur", f"formateur de l'académie de {demo.academy.name}"),
        ("auditeur", f"auditrice, rectorat de {demo.academy.name}"),
        ("gestionnaire", f"gestionnaire de formation, rectorat de {demo.academy.name}"),
        ("national", "ministère, administratrice (accès à /admin/)"),
    ]
