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
from django.utils import timezone

from training.models import (
    Academy,
    AcademyZone,
    Degree,
    District,
    Enrolment,
    EnrolmentEvent,
    HoursTarget,
    Item,
    Modality,
    Module,
    ParcoursTemplate,
    Priority,
    Programme,
    RoleMembership,
    School,
    SchoolKind,
    SchoolYear,
    Session,
    Slot,
    Staff,
    TrainingPlan,
    degree_of_kind,
)
from training.services.catalogue import lay_out_parcours
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
PARIS = ZoneInfo("Europe/Paris")


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


# --- The demo catalogue ---------------------------------------------------------------


def current_school_year(today: dt.date) -> SchoolYear:
    """The school year containing ``today`` (1 September – 31 August), created for the
    demo with a copy of the 2010-2011 national plan, so that the demo lives in the
    present: sessions to come, windows open."""
    first = today.year if today.month >= 9 else today.year - 1
    year, _ = SchoolYear.objects.get_or_create(
        name=f"{first}-{first + 1}",
        defaults={"start": dt.date(first, 9, 1), "end": dt.date(first + 1, 8, 31)},
    )
    reference = TrainingPlan.objects.get(school_year__name="2010-2011")
    plan, created = TrainingPlan.objects.get_or_create(
        school_year=year, defaults={"title": f"Plan de formation {year.name} (démonstration)"}
    )
    if created:
        for priority in reference.priorities.all():
            Priority.objects.create(
                plan=plan, code=priority.code, title=priority.title, order=priority.order
            )
        for target in reference.targets.all():
            HoursTarget.objects.create(
                plan=plan,
                degree=target.degree,
                target_minutes=target.target_minutes,
                min_training_minutes=target.min_training_minutes,
                online_allowed=target.online_allowed,
            )
    return year


def _moment(today: dt.date, days: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute), PARIS)


def seed_catalogue(demo: DemoDirectory) -> list[Session]:
    """A few sessions of each kind around the named accounts' collège: individual with
    the head's approval, a Pairform@nce parcours confirmed by the rectorate, a public
    désigné session for the référents, an in-school session, one without dates yet."""
    today = timezone.localdate()
    now = timezone.now()
    year = current_school_year(today)
    AcademyZone.objects.get_or_create(
        academy=demo.academy, school_year=year, defaults={"zone": "C"}
    )
    numerique = Priority.objects.get(plan__school_year=year, code="numerique")
    college = next(s for s in demo.schools if s.kind == SchoolKind.COLLEGE)
    lycee = next(s for s in demo.schools if s.kind == SchoolKind.LEGT)
    trainer = get_user_model().objects.get(username="formateur")
    pairformance = ParcoursTemplate.objects.get(code="pairformance")
    window = {
        "enrolment_opens": now - dt.timedelta(days=7),
        "enrolment_closes": now + dt.timedelta(days=14),
    }
    prefix = year.name[2:4]

    def programme(number, title, kind=Programme.Kind.INDIVIDUAL):
        return Programme.objects.get_or_create(
            academy=demo.academy,
            school_year=year,
            code=f"{prefix}A025{number:04d}",
            defaults={"title": title, "priority": numerique, "degree": Degree.SECOND, "kind": kind},
        )[0]

    def module(prog, code, title, items=(), parcours=None, in_person=0, online=0):
        mod, created = Module.objects.get_or_create(
            programme=prog,
            code=code,
            defaults={
                "title": title,
                "parcours": parcours,
                "planned_in_person_minutes": in_person,
                "planned_online_minutes": online,
            },
        )
        if created and items:
            mod.items.set(Item.objects.filter(code__in=items, domain__framework__code="C2i2e-2011"))
        return mod

    def session(mod, slots, **fields):
        sess, created = Session.objects.get_or_create(
            module=mod, group="01", defaults={"status": Session.Status.PUBLISHED, **fields}
        )
        if created:
            sess.trainers.add(trainer)
            for slot in slots:
                Slot.objects.create(session=sess, **slot)
        return sess

    def in_person(days, start_hour, end_hour, school, room, title):
        return {
            "modality": Modality.IN_PERSON,
            "start": _moment(today, days, start_hour),
            "end": _moment(today, days, end_hour),
            "school": school,
            "room": room,
            "title": title,
        }

    ent = session(
        module(
            programme(1, "Usages du numérique au collège et au lycée"),
            "M01",
            "Intégrer l'ENT dans sa pratique",
            items=["A.1-3", "A.1-4", "B.1-1"],
            in_person=360,
            online=120,
        ),
        [
            in_person(21, 9, 12, lycee, "Salle informatique 1", "Découvrir l'ENT"),
            {
                "modality": Modality.SELF_PACED,
                "start": _moment(today, 21, 12),
                "end": _moment(today, 35, 0),
                "credited_minutes": 120,
                "title": "Créer un espace de classe",
            },
            in_person(35, 14, 17, lycee, "Salle informatique 1", "Mutualiser"),
        ],
        capacity=12,
        approval=Session.Approval.HEAD,
        location=lycee.name,
        **window,
    )
    parcours_module = module(
        programme(2, "Travail collaboratif en réseau (Pairform@nce)"),
        "M01",
        "Concevoir une séquence en équipe",
        items=["B.1-2", "B.2-2", "B.3-1"],
        parcours=pairformance,
        in_person=360,
        online=750,
    )
    parcours = Session.objects.filter(module=parcours_module, group="01").first()
    if parcours is None:
        parcours = Session.objects.create(
            module=parcours_module,
            group="01",
            capacity=16,
            approval=Session.Approval.HEAD_THEN_RECTORATE,
            status=Session.Status.PUBLISHED,
            location=lycee.name,
            **window,
        )
        parcours.trainers.add(trainer)
        lay_out_parcours(parcours, pairformance, today + dt.timedelta(days=42))
    referents = session(
        module(
            programme(3, "Formation des référents numériques", Programme.Kind.DESIGNATED),
            "M01",
            "Animer la formation au numérique dans son établissement",
            items=["B.1-3"],
            in_person=360,
        ),
        [in_person(10, 9, 16, lycee, "Amphithéâtre", "Journée des référents")],
        capacity=40,
        approval=Session.Approval.NONE,
        location=lycee.name,
    )
    tni = session(
        module(
            programme(4, "Formations d'établissement"), "M01", "Prise en main du TNI", in_person=120
        ),
        [in_person(12, 16, 18, college, "Salle 104", "Prise en main du TNI")],
        capacity=15,
        approval=Session.Approval.NONE,
        host_school=college,
        location=college.name,
        **window,
    )
    undated = session(
        module(
            programme(5, "Publier en ligne avec ses élèves"),
            "M01",
            "Écrire et publier sur le web",
            items=["A.3-3", "B.2-3"],
            in_person=180,
        ),
        [],
        capacity=20,
        approval=Session.Approval.HEAD,
        **window,
    )
    # A past in-school session, its sheet still to fill: the attendance journey.
    past_tni = session(
        module(
            programme(4, "Formations d'établissement"),
            "M02",
            "Découvrir le TNI",
            items=["A.1-2", "B.3-5"],
            in_person=120,
        ),
        [in_person(-7, 14, 16, college, "Salle 104", "Découvrir le TNI")],
        capacity=15,
        approval=Session.Approval.NONE,
        host_school=college,
        location=college.name,
    )
    teacher = Staff.objects.get(user__username="enseignant")
    if not past_tni.enrolments.filter(staff=teacher).exists():
        enrolment = Enrolment.objects.create(
            session=past_tni, staff=teacher, state=Enrolment.State.BOOKED
        )
        EnrolmentEvent.objects.create(
            enrolment=enrolment,
            from_state="",
            to_state=Enrolment.State.BOOKED,
            reason="Inscription de démonstration",
        )
    return [ent, parcours, referents, tni, undated, past_tni]
