"""The demo académie's directory: districts, schools, staff and the named demo accounts.

Deterministic (a seeded generator, keys derived from positions) and idempotent (rows
are inserted with ``ignore_conflicts`` on their natural keys), so that running the
seed twice changes nothing. Built with ``bulk_create`` in batches so that
``--schools 2000 --staff 100000`` takes seconds, for the benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

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
    SchoolYear,
    Staff,
    degree_of_kind,
)
from training.reference import ensure_school_year
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


# Each académie's départements (the first three characters of its UAIs; Corse's 2A and
# 2B are 620 and 720 in UAIs), and its relative size: teachers in thousands, rounded
# (public and private under contract, 1er and 2nd degré, around 2010). A proportional
# table for generated data, not statistics.
ACADEMY_DEPARTEMENTS = {
    "01": ["075"],
    "02": ["013", "084", "004", "005"],
    "03": ["025", "039", "070", "090"],
    "04": ["033", "024", "040", "047", "064"],
    "05": ["014", "050", "061"],
    "06": ["063", "003", "015", "043"],
    "07": ["021", "058", "071", "089"],
    "08": ["038", "007", "026", "073", "074"],
    "09": ["059", "062"],
    "10": ["069", "001", "042"],
    "11": ["034", "011", "030", "048", "066"],
    "12": ["054", "055", "057", "088"],
    "13": ["086", "016", "017", "079"],
    "14": ["035", "022", "029", "056"],
    "15": ["067", "068"],
    "16": ["031", "009", "012", "032", "046", "065", "081", "082"],
    "17": ["044", "049", "053", "072", "085"],
    "18": ["045", "018", "028", "036", "037", "041"],
    "19": ["051", "008", "010", "052"],
    "20": ["080", "002", "060"],
    "21": ["076", "027"],
    "22": ["087", "019", "023"],
    "23": ["006", "083"],
    "24": ["093", "077", "094"],
    "25": DEPARTEMENTS,
    "27": ["620", "720"],
    "28": ["974"],
    "31": ["972"],
    "32": ["971"],
    "33": ["973"],
}
BATCH = 5000


PARIS = ZoneInfo("Europe/Paris")


@dataclass
class DemoDirectory:
    academy: Academy
    schools: list[School] = field(default_factory=list)
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (username, description)


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def demo_uai(index: int, departements: list[str] = DEPARTEMENTS) -> str:
    """A valid UAI for the index-th demo school: département, serial, check letter."""
    departement = departements[index % len(departements)]
    serial = 1000 + index // len(departements)
    digits = f"{departement}{serial:04d}"
    return digits + uai_check_letter(digits)


def _kinds(n_schools: int, rng: random.Random) -> list[str]:
    """n kinds in the académie's mix, the first ones covering every kind."""
    kinds = [kind for kind, _share, _size in KIND_MIX]
    weights = [share for _kind, share, _size in KIND_MIX]
    return (kinds + rng.choices(kinds, weights=weights, k=max(0, n_schools - len(kinds))))[
        :n_schools
    ]


def seed_directory(
    *,
    n_schools: int,
    n_staff: int,
    seed: int = 2010,
    academy_code: str = DEMO_ACADEMY_CODE,
    password: str | None = None,
) -> DemoDirectory:
    """The directory of one académie: Versailles (the demo, with the named accounts) by
    default; another académie (``academy_code``) for the national data set, with names,
    UAIs and usernames of its own (``seed_national``)."""
    versailles = academy_code == DEMO_ACADEMY_CODE
    rng = random.Random(seed if versailles else f"{seed}-{academy_code}")
    academy = Academy.objects.get(code=academy_code)
    User = get_user_model()
    # One hash for every generated account: hashing 100 000 passwords one by one would
    # take hours, and these are demo accounts with one published password.
    password = password or make_password(settings.DUNE_DEMO_PASSWORD)
    # Versailles keeps the names it always had; another académie gets its own.
    slug = ascii_slug(academy.name)
    bassins = BASSINS if versailles else [f"{academy.name} {n}" for n in range(1, 7)]
    circonscriptions = (
        CIRCONSCRIPTIONS if versailles else [f"{academy.name} {n}" for n in range(1, 7)]
    )
    departements = DEPARTEMENTS if versailles else ACADEMY_DEPARTEMENTS[academy_code]
    user_prefix = "agent" if versailles else f"{slug}."
    domain = "ac-versailles.fr" if versailles else f"ac-{slug}.fr"

    districts = {}
    for kind, names in (
        (District.Kind.BASSIN, bassins),
        (District.Kind.CIRCONSCRIPTION, circonscriptions),
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
        district_names = circonscriptions if degree == Degree.FIRST else bassins
        city = rng.choice(CITIES) if versailles else academy.name
        schools.append(
            School(
                uai=demo_uai(index, departements),
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
        username = f"{user_prefix}{index:06d}"
        users.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{ascii_slug(first)}.{ascii_slug(last)}{index}@{domain}",
                password=password,
            )
        )
        discipline = "" if school.degree == Degree.FIRST else rng.choice(SECOND_DEGREE_DISCIPLINES)
        profiles.append((username, school, discipline))
    for start in range(0, len(users), BATCH):
        User.objects.bulk_create(users[start : start + BATCH], ignore_conflicts=True)
    user_ids = dict(
        User.objects.filter(username__startswith=user_prefix).values_list("username", "pk")
    )
    staff_prefix = "DEMO" if versailles else f"DEMO{academy_code}"
    staff_rows = [
        Staff(
            user_id=user_ids[username],
            staff_id=f"{staff_prefix}{index:07d}",
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
            email=f"ce.{school.uai.lower()}@{domain}",
            password=password,
        )
        for school in schools
    ]
    User.objects.bulk_create(heads, batch_size=BATCH, ignore_conflicts=True)
    head_ids = dict(
        User.objects.filter(username__in=[h.username for h in heads]).values_list("username", "pk")
    )
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
    if versailles:
        _seed_named_accounts(demo, password)
    return demo


def named_user(username: str, first: str, last: str, password: str, **extra):
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

    teacher = named_user("enseignant", "Claire", "Martin", password)
    Staff.objects.get_or_create(
        user=teacher,
        defaults={
            "staff_id": "DEMO-ENS",
            "school": college,
            "discipline": "Mathématiques",
            "degree": 2,
        },
    )
    referent = named_user("referent", "Julien", "Moreau", password)
    Staff.objects.get_or_create(
        user=referent,
        defaults={
            "staff_id": "DEMO-REF",
            "school": college,
            "discipline": "Technologie",
            "degree": 2,
        },
    )
    head = named_user("directeur", "Hélène", "Dupont", password)
    RoleMembership.objects.get_or_create(user=head, role=Role.HEAD, school=college)
    trainer = named_user("formateur", "Olivier", "Girard", password)
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
    auditor = named_user("auditeur", "Valérie", "Lefèvre", password)
    RoleMembership.objects.get_or_create(user=auditor, role=Role.AUDITOR, academy=demo.academy)
    manager = named_user("gestionnaire", "Laurent", "Mercier", password)
    RoleMembership.objects.get_or_create(user=manager, role=Role.MANAGER, academy=demo.academy)
    national = named_user("national", "Cécile", "Roux", password, is_staff=True, is_superuser=True)
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


def current_school_year(today: dt.date) -> SchoolYear:
    """The school year containing ``today``, so that the demo lives in the present:
    sessions to come, windows open (its national plan copied from 2010-2011's)."""
    return ensure_school_year(today)
