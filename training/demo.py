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
    Attendance,
    Degree,
    District,
    Enrolment,
    EnrolmentEvent,
    HoursEntry,
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


# --- The national data set and the hours ledger at scale ------------------------------

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
ACADEMY_WEIGHTS = {
    "01": 38, "02": 48, "03": 17, "04": 42, "05": 19, "06": 17, "07": 21, "08": 48,
    "09": 66, "10": 50, "11": 38, "12": 33, "13": 23, "14": 44, "15": 26, "16": 42,
    "17": 50, "18": 35, "19": 19, "20": 27, "21": 27, "22": 9, "23": 15, "24": 85,
    "25": 100, "27": 4, "28": 22, "31": 7, "32": 8, "33": 6,
}  # fmt: skip
NATIONAL_STAFF = 870_000
NATIONAL_SCHOOLS = 60_000
MIN_SCHOOLS = len(KIND_MIX)  # one of each kind


def _apportion(total: int, weights: dict[str, int], minimum: int) -> dict[str, int]:
    """``total`` split in proportion to ``weights`` (largest remainders), each at least
    ``minimum``."""
    whole = sum(weights.values())
    shares = {code: total * w / whole for code, w in weights.items()}
    counts = {code: max(minimum, int(share)) for code, share in shares.items()}
    left = total - sum(counts.values())
    for code in sorted(shares, key=lambda c: (int(shares[c]) - shares[c], c))[: max(0, left)]:
        counts[code] += 1
    return counts


def national_split(*, n_staff: int, n_schools: int) -> list[tuple[str, int, int]]:
    """(académie code, schools, staff) for all 30 académies, in proportion to their size."""
    schools = _apportion(n_schools, ACADEMY_WEIGHTS, MIN_SCHOOLS)
    staff = _apportion(n_staff, ACADEMY_WEIGHTS, MIN_SCHOOLS)
    return [
        (code, schools[code], max(staff[code], schools[code])) for code in sorted(ACADEMY_WEIGHTS)
    ]


def seed_national(
    *, n_staff: int = NATIONAL_STAFF, n_schools: int = NATIONAL_SCHOOLS, seed: int = 2010
) -> list[DemoDirectory]:
    """The 30 académies' directories (Versailles first: the demo's named accounts live
    there), one académie at a time so that memory stays that of the largest one."""
    password = make_password(settings.DUNE_DEMO_PASSWORD)
    split = sorted(national_split(n_staff=n_staff, n_schools=n_schools), key=lambda r: r[0] != "25")
    return [
        seed_directory(
            n_schools=schools, n_staff=staff, seed=seed, academy_code=code, password=password
        )
        for code, schools, staff in split
    ]


# The hours ledger at scale: sessions of four slots, 24 seats, dated over the school
# year 2010-2011, each person booked on enough of them for ``per_staff`` slots.
VOLUME_SLOTS = 4
VOLUME_CAPACITY = 24
VOLUME_GROUPS = 99  # sessions per module (the group number has two digits)
VOLUME_CHUNK = 2000  # people per COPY / bulk_create round
VOLUME_YEAR = "2010-2011"
# Slot patterns: in person only, hybrid, online.
VOLUME_PATTERNS = [
    ([Modality.IN_PERSON] * 4, 5),
    ([Modality.IN_PERSON, Modality.SELF_PACED, Modality.VIRTUAL, Modality.IN_PERSON], 3),
    ([Modality.VIRTUAL, Modality.SELF_PACED, Modality.SELF_PACED, Modality.VIRTUAL], 2),
]
# How a sheet reads: present, partial, absent, excused (per mille), and how often a
# presence was later corrected to a partial one (a reversing entry and a new one).
VOLUME_MARKS = [("present", 850), ("partial", 80), ("absent", 40), ("excused", 30)]
VOLUME_CORRECTED = 0.03
# Holidays common to the three zones in 2010-2011 (Toussaint, Noël); no session starts then.
VOLUME_BREAKS = [
    (dt.date(2010, 10, 23), dt.date(2010, 11, 3)),
    (dt.date(2010, 12, 18), dt.date(2011, 1, 2)),
]


@dataclass
class _VolumeSlot:
    pk: int
    modality: str
    minutes: int
    recorded: str  # when the sheet was filled (ISO, UTC)
    corrected: str  # when a correction was written


def _school_days(year: SchoolYear) -> list[dt.date]:
    """Weekdays of the year on which a four-week session can start and end by June."""
    day, last = year.start + dt.timedelta(days=12), dt.date(year.start.year + 1, 5, 13)
    days = []
    while day <= last:
        if day.weekday() < 5 and not any(a <= day <= b for a, b in VOLUME_BREAKS):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _slot_fields(modality: str, day: dt.date, rng: random.Random) -> dict:
    if modality == Modality.IN_PERSON:
        start, end = rng.choice([(9, 12), (14, 17), (14, 16), (9, 16)])
        return {
            "start": dt.datetime.combine(day, dt.time(start), PARIS),
            "end": dt.datetime.combine(day, dt.time(end), PARIS),
            "room": "Salle informatique",
        }
    if modality == Modality.VIRTUAL:
        return {
            "start": dt.datetime.combine(day, dt.time(17), PARIS),
            "end": dt.datetime.combine(day, dt.time(18, 30), PARIS),
            "video_url": "https://visio.example.org/dune",
        }
    return {
        "start": dt.datetime.combine(day, dt.time(18), PARIS),
        "end": dt.datetime.combine(day + dt.timedelta(days=7), dt.time(18), PARIS),
        "credited_minutes": rng.choice([60, 120, 180]),
    }


def _reserve_ids(model, count: int) -> int:
    """The first of ``count`` consecutive primary keys kept for rows written with
    explicit ids (COPY returns none; the hours rows must point at their sheet)."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Nobody else inserts until we commit, so the block stays ours.
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [model._meta.db_table, model._meta.db_table, max(count, 1)],
            )
            return cursor.fetchone()[0] - max(count, 1) + 1
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 (a model's table)
        return (cursor.fetchone()[0] or 0) + 1


class _Rows:
    """Rows of one model, written in chunks: COPY FROM STDIN on PostgreSQL (psycopg),
    ``bulk_create`` elsewhere. Values are given in ``attnames`` order."""

    def __init__(self, model, attnames: list[str]):
        from django.db import connection

        self.model, self.attnames, self.rows = model, attnames, []
        self.copy = connection.vendor == "postgresql"
        columns = ", ".join(
            connection.ops.quote_name(model._meta.get_field(a.removesuffix("_id")).column)
            if a != "id"
            else "id"
            for a in attnames
        )
        self.sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        from django.db import connection

        if not self.rows:
            return
        if self.copy:
            with connection.cursor() as cursor, cursor.copy(self.sql) as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            self.model.objects.bulk_create(
                [self.model(**dict(zip(self.attnames, row, strict=True))) for row in self.rows],
                batch_size=500,
            )
        self.written += len(self.rows)
        self.rows = []


def _volume_catalogue(
    *, academy: Academy, year: SchoolYear, staff: list[tuple[int, int]], per_staff: int, rng
) -> tuple[list[int], list[list[_VolumeSlot]], int]:
    """Programmes (one per priority), modules, sessions and slots for ``staff``; returns
    the session ids, their slots, and the trainer who fills the sheets."""
    priorities = list(Priority.objects.filter(plan__school_year=year).order_by("order", "pk"))
    weights = [3 if p.code == "numerique" else 1 for p in priorities]
    slug = ascii_slug(academy.name)
    trainer = _named_user(f"formateur.{slug}", "Formateur", academy.name, make_password(None))
    RoleMembership.objects.get_or_create(
        user=trainer, role=RoleMembership.Role.TRAINER, academy=academy
    )
    programmes = [
        Programme.objects.get_or_create(
            academy=academy,
            school_year=year,
            code=f"{year.name[2:4]}A0{academy.code}H{n:03d}",
            defaults={"title": f"{priority.title} (plan académique)", "priority": priority},
        )[0]
        for n, priority in enumerate(priorities, start=1)
    ]
    # Rounds: in round r, everyone fills the round's sessions in order (colleagues of a
    # school together); round r's sessions run in the r-th part of the year, so that one
    # person's sessions follow each other instead of overlapping.
    rounds, block = -(-per_staff // VOLUME_SLOTS), -(-len(staff) // VOLUME_CAPACITY)
    n_sessions = rounds * block
    # Session s belongs to module s mod n_modules (group s div n_modules + 1, at most 99);
    # the first modules cover every priority, the others mostly the digital one.
    n_modules = max(len(programmes), -(-n_sessions // VOLUME_GROUPS))
    modules = Module.objects.bulk_create(
        Module(
            programme=programmes[m]
            if m < len(programmes)
            else rng.choices(programmes, weights=weights)[0],
            code=f"V{m + 1:05d}",
            title=f"Module {m + 1} — usages numériques",
            planned_in_person_minutes=360,
            planned_online_minutes=120,
        )
        for m in range(n_modules)
    )
    days = _school_days(year)
    starts = []
    for r in range(rounds):
        part = days[r * len(days) // rounds : (r + 1) * len(days) // rounds] or days
        # A session lasts four weeks: it starts early enough to end within its part.
        early = [d for d in part if d <= part[-1] - dt.timedelta(days=28)]
        starts.append(early or part)
    session_ids, slots = [], []
    for start in range(0, n_sessions, VOLUME_CHUNK):
        batch, plans = [], []
        for s in range(start, min(n_sessions, start + VOLUME_CHUNK)):
            first = rng.choice(starts[s // block])
            opens = dt.datetime.combine(first - dt.timedelta(days=40), dt.time(9), PARIS)
            batch.append(
                Session(
                    module=modules[s % n_modules],
                    group=f"{s // n_modules + 1:02d}",
                    capacity=VOLUME_CAPACITY,
                    approval=Session.Approval.NONE,
                    status=Session.Status.PUBLISHED,
                    enrolment_opens=opens,
                    enrolment_closes=opens + dt.timedelta(days=35),
                )
            )
            # The in-person slots are at the school of the session's first person.
            host = staff[(s % block) * VOLUME_CAPACITY][1]
            pattern = rng.choices(
                [p for p, _w in VOLUME_PATTERNS], weights=[w for _p, w in VOLUME_PATTERNS]
            )[0]
            plans.append((first, host, pattern))
        Session.objects.bulk_create(batch)
        Session.trainers.through.objects.bulk_create(
            Session.trainers.through(session_id=s.pk, user_id=trainer.pk) for s in batch
        )
        rows = [
            Slot(
                session=session,
                modality=modality,
                title=f"Séance {k + 1}",
                school_id=host if modality == Modality.IN_PERSON else None,
                **_slot_fields(modality, first + dt.timedelta(days=7 * k), rng),
            )
            for session, (first, host, pattern) in zip(batch, plans, strict=True)
            for k, modality in enumerate(pattern)
        ]
        Slot.objects.bulk_create(rows)  # PostgreSQL and SQLite ≥ 3.35 return the ids
        for k in range(0, len(rows), VOLUME_SLOTS):
            slots.append(
                [
                    _VolumeSlot(
                        pk=slot.pk,
                        modality=slot.modality,
                        minutes=slot.minutes,
                        recorded=(slot.end + dt.timedelta(days=1)).isoformat(),
                        corrected=(slot.end + dt.timedelta(days=10)).isoformat(),
                    )
                    for slot in rows[k : k + VOLUME_SLOTS]
                ]
            )
        session_ids.extend(s.pk for s in batch)
    return session_ids, slots, trainer.pk


def seed_hours(*, academy: Academy, per_staff: int, seed: int = 2010) -> int:
    """About ``per_staff`` attended slots for every person of ``academy`` in 2010-2011,
    with what the ledger holds for them: booked enrolments (and their history), the
    sheets (present, partial, absent, excused), and the ``HoursEntry`` rows they credit,
    some of them corrected (a reversing entry and a new one, with a reason).

    The ledger's rules hold: every entry is tied to its slot and sheet, never credits
    more than the slot lasts, slots are past and not cancelled, no session has more
    people booked than seats. Deterministic (seeded), idempotent (an académie that has
    its volume sessions already gets nothing more), one transaction per académie, memory
    bounded by ``VOLUME_CHUNK`` people at a time. Returns the number of ledger rows.
    """
    from django.db import connection, transaction

    if per_staff <= 0:
        return 0
    year = SchoolYear.objects.get(name=VOLUME_YEAR)
    rng = random.Random(f"{seed}-hours-{academy.code}")
    code_prefix = f"{year.name[2:4]}A0{academy.code}H"
    if Session.objects.filter(
        module__programme__academy=academy,
        module__programme__school_year=year,
        module__programme__code__startswith=code_prefix,
    ).exists():
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Foreign keys checked statement by statement, not queued until commit for
            # millions of rows.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        staff = list(
            Staff.objects.filter(school__academy=academy, active=True)
            .order_by("school_id", "pk")
            .values_list("pk", "school_id")
        )
        if not staff:
            return 0
        session_ids, slots, author = _volume_catalogue(
            academy=academy, year=year, staff=staff, per_staff=per_staff, rng=rng
        )
        priority_of = _priorities_by_session(session_ids)
        per_person = -(-per_staff // VOLUME_SLOTS)
        block = -(-len(staff) // VOLUME_CAPACITY)
        first_enrolment = _reserve_ids(Enrolment, len(staff) * per_person)
        first_attendance = _reserve_ids(Attendance, len(staff) * per_staff)
        enrolments = _Rows(
            Enrolment, ["id", "session_id", "staff_id", "state", "reason", "created_by_id",
                        "created_at", "updated_at"],
        )  # fmt: skip
        events = _Rows(
            EnrolmentEvent, ["enrolment_id", "from_state", "to_state", "actor_id", "reason", "at"]
        )
        sheets = _Rows(
            Attendance, ["id", "slot_id", "staff_id", "status", "minutes", "declared_minutes",
                         "recorded_by_id", "recorded_at"],
        )  # fmt: skip
        ledger = _Rows(
            HoursEntry, ["staff_id", "slot_id", "attendance_id", "minutes", "priority_id",
                         "modality", "school_year_id", "source", "reason", "author_id",
                         "created_at"],
        )  # fmt: skip
        marks = [m for m, _w in VOLUME_MARKS]
        mark_weights = [w for _m, w in VOLUME_MARKS]
        booked, designated = Enrolment.State.BOOKED, "Désignation par le rectorat"
        fix = "Correction de la feuille : arrivée en retard"
        for j, (staff_pk, _school) in enumerate(staff):
            attended = 0
            for k in range(per_person):
                s = k * block + j // VOLUME_CAPACITY  # see _volume_catalogue
                session_slots = slots[s]
                enrolment_id = first_enrolment + j * per_person + k
                when = session_slots[0].recorded
                enrolments.add((enrolment_id, session_ids[s], staff_pk, booked, "", author, when,
                                when))  # fmt: skip
                events.add((enrolment_id, "", booked, author, designated, when))
                priority = priority_of[session_ids[s]]
                for slot in session_slots:
                    if attended == per_staff:
                        break
                    attendance_id = first_attendance + j * per_staff + attended
                    attended += 1
                    common = (priority, slot.modality, year.pk)
                    if slot.modality == Modality.SELF_PACED:
                        # Declared by the person, validated by the trainer.
                        declared = rng.choice([slot.minutes, slot.minutes, slot.minutes // 2])
                        sheets.add((attendance_id, slot.pk, staff_pk, "present", declared,
                                    declared, author, slot.recorded))  # fmt: skip
                        ledger.add((staff_pk, slot.pk, attendance_id, declared, *common,
                                    "self_paced", "", author, slot.recorded))  # fmt: skip
                        continue
                    mark = rng.choices(marks, weights=mark_weights)[0]
                    minutes = {"present": slot.minutes, "partial": rng.randrange(
                        30, slot.minutes, 15) if slot.minutes > 30 else 0}.get(mark, 0)  # fmt: skip
                    if mark == "partial" and not minutes:
                        mark = "absent"
                    corrected = mark == "present" and rng.random() < VOLUME_CORRECTED
                    if corrected:
                        # First marked present, then corrected to a partial presence.
                        minutes = slot.minutes - 30 if slot.minutes > 30 else slot.minutes // 2
                        mark = "partial"
                        ledger.add((staff_pk, slot.pk, attendance_id, slot.minutes, *common,
                                    "attendance", "", author, slot.recorded))  # fmt: skip
                        ledger.add((staff_pk, slot.pk, attendance_id, -slot.minutes, *common,
                                    "correction", fix, author, slot.corrected))  # fmt: skip
                    sheets.add((attendance_id, slot.pk, staff_pk, mark, minutes, None, author,
                                slot.corrected if corrected else slot.recorded))  # fmt: skip
                    if minutes:
                        ledger.add((staff_pk, slot.pk, attendance_id, minutes, *common,
                                    "attendance", fix if corrected else "", author,
                                    slot.corrected if corrected else slot.recorded))  # fmt: skip
            if j % VOLUME_CHUNK == VOLUME_CHUNK - 1 or j == len(staff) - 1:
                for rows in (enrolments, events, sheets, ledger):
                    rows.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Enrolment, EnrolmentEvent, Attendance, HoursEntry, Slot, Session):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return ledger.written


def _priorities_by_session(session_ids: list[int]) -> dict[int, int]:
    result = {}
    for start in range(0, len(session_ids), 10_000):
        result.update(
            Session.objects.filter(pk__in=session_ids[start : start + 10_000]).values_list(
                "pk", "module__programme__priority_id"
            )
        )
    return result


# --- The current year's activity ------------------------------------------------------

# Past sessions of the current year, each under a priority of the year's plan:
# (programme number, priority code, degree, programme title, module title, C2i2e items,
#  slots (in_person / virtual / self_paced), people booked).
ACTIVITY_SESSIONS = [
    (11, "numerique", Degree.SECOND, "Le numérique dans la classe",
     "Le tableau numérique interactif en cours", ["A.1-2", "B.2-2", "B.3-1"],
     [Modality.IN_PERSON, Modality.VIRTUAL], 22),
    (12, "sciences", Degree.SECOND, "Culture scientifique et technologique",
     "Expérimentation assistée par ordinateur (ExAO)", ["B.2-2", "B.3-2"],
     [Modality.IN_PERSON, Modality.VIRTUAL], 18),
    (13, "langues-vivantes", Degree.SECOND, "Langues vivantes et numérique",
     "Baladodiffusion et pratique de l'oral", ["B.2-4", "B.3-3"],
     [Modality.VIRTUAL, Modality.VIRTUAL], 16),
    (14, "langue", Degree.FIRST, "Maîtrise de la langue à l'école",
     "Lire et écrire avec le TNI à l'école", ["B.2-1", "B.3-1"],
     [Modality.IN_PERSON, Modality.SELF_PACED], 20),
]  # fmt: skip
# When a timed slot takes place: in person in the morning, virtual classes after school
# (never at the time of the demo's other past session, "Découvrir le TNI", 14:00-16:00).
ACTIVITY_HOURS = {Modality.IN_PERSON: ((9, 0), (12, 0)), Modality.VIRTUAL: ((17, 0), (18, 30))}
# Needs expressed by teachers of the named accounts' collège: (theme, items, modality,
# description); the first is the named teacher's.
ACTIVITY_NEEDS = [
    ("Géométrie dynamique avec GeoGebra", ["B.2-2", "B.3-1"], Modality.IN_PERSON,
     "Construire des figures avec les élèves en salle informatique."),
    ("Travailler en équipe avec l'ENT", ["A.1-3", "B.1-1"], "", ""),
    ("Évaluer les compétences du B2i", ["B.4-1", "B.4-2"], Modality.IN_PERSON,
     "Valider les items du B2i collège en conseil de classe."),
    ("Droit à l'image et publication en ligne", ["A.3-3"], Modality.VIRTUAL, ""),
    ("Classe virtuelle et continuité pédagogique", ["A.2-1", "B.2-5"], Modality.VIRTUAL,
     "Garder le lien avec les élèves absents longtemps."),
]  # fmt: skip


def _activity_days(year: SchoolYear, today: dt.date) -> list[dt.date]:
    """Past days of the year (1 September – yesterday) on which a timed slot may take
    place, weekdays first; empty when the year starts today."""
    days = [year.start + dt.timedelta(days=k) for k in range(max(0, (today - year.start).days))]
    return [d for d in days if d.weekday() < 5] or days


def _planned(module: Module) -> int:
    return module.planned_in_person_minutes + module.planned_online_minutes


def seed_activity(demo: DemoDirectory, *, seed: int = 2010) -> None:
    """Life in the demo's current school year, written through the services (but the
    bookings, demo rows like the catalogue's) so that every rule holds: four past
    sessions under different priorities of the year's plan (in person, virtual, online
    work), the trainer "formateur", teachers of
    several schools booked by the rectorate ("enseignant" among them) and their sheets
    filled by the trainer (hence the hours ledger); needs of the collège's teachers, its
    plan drafted by "referent" and submitted to "directeur", another school's plan
    drafted and approved by its head; then the anomaly scan of the académie's year.

    Slots are placed between 1 September and yesterday, never in the future, each in a
    time of its own (no one is ever booked on two slots at once). Deterministic;
    idempotent (what exists is left as it is, the scan runs once)."""
    from training.anomalies import run_checks
    from training.models import Anomaly, SchoolPlan, TrainingNeed
    from training.services import catalogue, school_plans
    from training.services.attendance import (
        Mark,
        declare_work,
        record_attendance,
        review_declaration,
    )
    from training.services.enrolment import overlapping_booking

    today = timezone.localdate()
    now = timezone.now()
    year = current_school_year(today)
    User = get_user_model()
    manager = User.objects.get(username="gestionnaire")
    trainer = User.objects.get(username="formateur")
    college = next(s for s in demo.schools if s.kind == SchoolKind.COLLEGE)
    lycees = [s for s in demo.schools if s.kind in (SchoolKind.LEGT, SchoolKind.LPO)]
    ecoles = [s for s in demo.schools if s.degree == Degree.FIRST]
    priorities = {p.code: p for p in Priority.objects.filter(plan__school_year=year)}
    days = _activity_days(year, today)
    used: set[tuple[dt.date, str]] = set()
    modules: dict[int, Module] = {}

    def place(modality: str, wanted: int) -> dt.date | None:
        """The first free day for this kind of slot from the wanted one, else the first
        free day at all."""
        order = list(range(wanted, len(days))) + list(range(min(wanted, len(days))))
        for index in order:
            if (days[index], modality) not in used:
                used.add((days[index], modality))
                return days[index]
        return None

    def pool(schools, degree, count, rng):
        staff = list(
            Staff.objects.filter(school__in=schools, active=True, degree=degree)
            .exclude(staff_id__startswith="DEMO-")
            .select_related("user", "school")
            .order_by("staff_id")
        )
        return sorted(rng.sample(staff, min(count, len(staff))), key=lambda s: s.staff_id)

    secondary = [s for s in demo.schools if s.degree == Degree.SECOND][:16]
    if college not in secondary:
        secondary.append(college)
    named = list(
        Staff.objects.filter(user__username__in=["enseignant", "referent"])
        .select_related("user", "school")
        .order_by("staff_id")
    )
    prefix = year.name[2:4]
    for rank, (number, code, degree, title, module_title, items, kinds, size) in enumerate(
        ACTIVITY_SESSIONS
    ):
        rng = random.Random(f"{seed}-activity-{number}")
        programme = Programme.objects.filter(
            academy=demo.academy, school_year=year, code=f"{prefix}A025{number:04d}"
        ).first() or catalogue.create_programme(
            user=manager,
            academy=demo.academy,
            school_year=year,
            code=f"{prefix}A025{number:04d}",
            title=title,
            priority=priorities[code],
            kind=Programme.Kind.DESIGNATED,
            degree=degree,
        )
        module = programme.modules.filter(code="M01").first()
        if module is None:
            module = catalogue.create_module(
                user=manager,
                programme=programme,
                code="M01",
                title=module_title,
                planned_in_person_minutes=180 * kinds.count(Modality.IN_PERSON),
                planned_online_minutes=90 * kinds.count(Modality.VIRTUAL)
                + 120 * kinds.count(Modality.SELF_PACED),
                items=list(
                    Item.objects.filter(code__in=items, domain__framework__code="C2i2e-2011")
                ),
            )
        modules[number] = module
        session = module.sessions.filter(group="01").first()
        if session is None:
            if not days:
                continue  # the year begins today: no past day to hold a session
            hosts = ecoles if degree == Degree.FIRST else lycees or secondary
            host = hosts[rank % len(hosts)]
            # Sessions spread over the past part of the year, a week between two slots.
            wanted = rank * len(days) // len(ACTIVITY_SESSIONS)
            slots = []
            for k, modality in enumerate(kinds):
                if modality == Modality.SELF_PACED:
                    continue
                day = place(modality, min(len(days) - 1, wanted + 5 * k))
                if day is not None:
                    slots.append((modality, day))
            if not slots:
                continue
            first = min(day for _m, day in slots)
            session = catalogue.create_session(
                user=manager,
                module=module,
                group="01",
                capacity=24,
                trainers=[trainer],
                approval=Session.Approval.NONE,
                enrolment_opens=dt.datetime.combine(
                    first - dt.timedelta(days=30), dt.time(9), PARIS
                ),
                enrolment_closes=dt.datetime.combine(
                    first - dt.timedelta(days=2), dt.time(9), PARIS
                ),
                location=host.name if Modality.IN_PERSON in kinds else "",
            )
            for n, (modality, day) in enumerate(slots, start=1):
                (start_h, start_m), (end_h, end_m) = ACTIVITY_HOURS[modality]
                in_person = modality == Modality.IN_PERSON
                catalogue.add_slot(
                    user=manager,
                    session=session,
                    modality=modality,
                    start=dt.datetime.combine(day, dt.time(start_h, start_m), PARIS),
                    end=dt.datetime.combine(day, dt.time(end_h, end_m), PARIS),
                    title=f"Séance {n}",
                    school=host if in_person else None,
                    room="Salle informatique" if in_person else "",
                    video_url="" if in_person else "https://visio.example.org/dune",
                )
            if Modality.SELF_PACED in kinds:
                # Online work after the last timed slot, open a week (closed by today).
                opens = dt.datetime.combine(max(day for _m, day in slots), dt.time(18), PARIS)
                closes = min(
                    opens + dt.timedelta(days=7), dt.datetime.combine(today, dt.time(0), PARIS)
                )
                if closes > opens:
                    catalogue.add_slot(
                        user=manager,
                        session=session,
                        modality=Modality.SELF_PACED,
                        start=opens,
                        end=closes,
                        title="Travail en ligne",
                        credited_minutes=120,
                    )
            catalogue.publish_session(user=manager, session=session)

        # The rectorate designates the participants (only those not enrolled yet): demo
        # rows with their history, like the other demo bookings (no e-mail about the
        # past), within the rules: seats, degree, académie, no overlapping booking.
        if not session.enrolments.exists():
            people = pool(ecoles if degree == Degree.FIRST else secondary, degree, size, rng)
            if number == ACTIVITY_SESSIONS[0][0]:
                people = named + people[: max(0, size - len(named))]
            people = [p for p in people if overlapping_booking(p, session) is None]
            enrolments = Enrolment.objects.bulk_create(
                Enrolment(
                    session=session,
                    staff=person,
                    state=Enrolment.State.BOOKED,
                    created_by=manager,
                )
                for person in people[: session.capacity]
            )
            EnrolmentEvent.objects.bulk_create(
                EnrolmentEvent(
                    enrolment=enrolment,
                    from_state="",
                    to_state=Enrolment.State.BOOKED,
                    actor=manager,
                    reason="Désignation par le rectorat",
                )
                for enrolment in enrolments
            )

        # The trainer's sheets, for the timed slots still without one.
        booked_staff = list(
            Staff.objects.filter(
                enrolments__session=session, enrolments__state=Enrolment.State.BOOKED
            )
            .select_related("user")
            .order_by("staff_id")
        )
        for slot in session.slots.filter(attendances__isnull=True).order_by("start", "pk"):
            if slot.start > now:
                continue
            marks_rng = random.Random(f"{seed}-sheet-{number}-{slot.start.isoformat()}")
            if slot.modality == Modality.SELF_PACED:
                # Most declare their online work; the trainer validates all but the
                # last declaration, left for him to review.
                declared = [
                    declare_work(user=s.user, slot=slot, minutes=marks_rng.choice([60, 90, 120]))
                    for s in booked_staff
                    if marks_rng.random() < 0.7
                ]
                for attendance in declared[:-1]:
                    review_declaration(user=trainer, attendance=attendance, accept=True)
                continue
            marks = []
            for person in booked_staff:
                roll = marks_rng.random()
                if person.staff_id.startswith("DEMO-") or roll >= 0.18:
                    marks.append(Mark(person.pk, Attendance.Status.PRESENT))
                elif roll < 0.09:
                    partial = marks_rng.randrange(30, slot.minutes, 15)
                    marks.append(Mark(person.pk, Attendance.Status.PARTIAL, partial))
                elif roll < 0.15:
                    marks.append(Mark(person.pk, Attendance.Status.ABSENT))
                else:
                    marks.append(Mark(person.pk, Attendance.Status.EXCUSED))
            record_attendance(user=trainer, slot=slot, marks=marks)

    # Needs of the collège's teachers, the named teacher's first.
    teachers = [s for s in named if s.user.username == "enseignant"] + list(
        Staff.objects.filter(school=college, active=True)
        .exclude(staff_id__startswith="DEMO-")
        .select_related("user")
        .order_by("staff_id")[: len(ACTIVITY_NEEDS) - 1]
    )
    for person, (theme, items, modality, description) in zip(
        teachers, ACTIVITY_NEEDS, strict=False
    ):
        if not TrainingNeed.objects.filter(staff=person, school_year=year, theme=theme).exists():
            school_plans.submit_need(
                user=person.user,
                theme=theme,
                school_year=year,
                items=Item.objects.filter(code__in=items, domain__framework__code="C2i2e-2011"),
                modality=modality,
                description=description,
            )

    LineData = school_plans.LineData
    # The collège's plan, drafted by its référent and submitted to its head.
    referent = User.objects.get(username="referent")
    if not SchoolPlan.objects.filter(school=college, school_year=year).exists():
        plan = school_plans.create_plan(user=referent, school=college, school_year=year)
        lines = [
            LineData(planned_minutes=_planned(modules[11]), module=modules[11]),
            LineData(
                planned_minutes=180,
                theme="Géométrie dynamique en mathématiques",
                priority=priorities["sciences"],
                modality=Modality.IN_PERSON,
                target_staff=[s for s in named if s.user.username == "enseignant"],
            ),
            LineData(
                planned_minutes=120,
                theme="Droit à l'image et publication en ligne avec les élèves",
                modality=Modality.VIRTUAL,
            ),
        ]
        for data in lines:
            school_plans.add_line(user=referent, plan=plan, data=data)
        school_plans.submit_plan(user=referent, plan=plan)

    # Another school's plan, drafted and approved by its head.
    heads = dict(
        RoleMembership.objects.filter(
            role=RoleMembership.Role.HEAD,
            school__in=secondary,
            user__username__startswith="chef.",
        ).values_list("school_id", "user_id")
    )
    other = next((s for s in secondary if s != college and s.pk in heads), None)
    if other is not None and not SchoolPlan.objects.filter(school=other, school_year=year).exists():
        head = User.objects.get(pk=heads[other.pk])
        plan = school_plans.create_plan(user=head, school=other, school_year=year)
        for data in [
            LineData(planned_minutes=_planned(modules[12]), module=modules[12]),
            LineData(
                planned_minutes=360,
                theme="Usages du numérique dans toutes les disciplines",
                priority=priorities["numerique"],
            ),
        ]:
            school_plans.add_line(user=head, plan=plan, data=data)
        school_plans.submit_plan(user=head, plan=plan)
        school_plans.approve_plan(
            user=head, plan=plan, comment="Conforme au projet d'établissement."
        )

    # What the nightly scan would find, once.
    if not Anomaly.objects.filter(academy=demo.academy, school_year=year).exists():
        run_checks(academy=demo.academy, school_year=year)
