"""The demo académie's catalogue of the current school year: programmes, modules and
sessions in person, virtual, online and hybrid, some open to booking now.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from training.demo.directory import PARIS, DemoDirectory, current_school_year
from training.models import (
    AcademyZone,
    Degree,
    Enrolment,
    EnrolmentEvent,
    Item,
    Modality,
    Module,
    ParcoursTemplate,
    Priority,
    Programme,
    SchoolKind,
    Session,
    Slot,
    Staff,
)
from training.services.catalogue import lay_out_parcours


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
    # Online work open now, inside the year: the teacher has work to declare.
    opens = max(_moment(today, -5, 8), dt.datetime.combine(year.start, dt.time(8), PARIS))
    closes = min(_moment(today, 16, 0), dt.datetime.combine(year.end, dt.time(23, 59), PARIS))
    online = session(
        module(
            programme(1, "Usages du numérique au collège et au lycée"),
            "M02",
            "Classe inversée : des capsules vidéo pour la classe",
            items=["A.2-1", "B.2-2"],
            online=180,
        ),
        [
            {
                "modality": Modality.SELF_PACED,
                "start": opens,
                "end": closes,
                "credited_minutes": 180,
                "title": "Réaliser une capsule et la publier dans l'ENT",
            }
        ],
        capacity=30,
        approval=Session.Approval.NONE,
    )
    teacher = Staff.objects.get(user__username="enseignant")
    for booked_on in (past_tni, online):
        if booked_on.enrolments.filter(staff=teacher).exists():
            continue
        enrolment = Enrolment.objects.create(
            session=booked_on, staff=teacher, state=Enrolment.State.BOOKED
        )
        EnrolmentEvent.objects.create(
            enrolment=enrolment,
            from_state="",
            to_state=Enrolment.State.BOOKED,
            reason="Inscription de démonstration",
        )
    return [ent, parcours, referents, tni, undated, past_tni, online]
