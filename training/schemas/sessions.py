"""Schemas of the catalogue, scheduling and enrolment endpoints (``training/api/sessions.py``).

Inputs name other objects the way people know them (académie code, school year name,
priority and C2i2e item codes, UAI, usernames, staff ids); outputs list their fields
explicitly and read the related rows the endpoints ``select_related``/prefetch.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from ninja import Field, FilterSchema, ModelSchema, Schema

from training.models import (
    Degree,
    Enrolment,
    EnrolmentEvent,
    Modality,
    Module,
    Programme,
    Session,
    Slot,
)
from training.reference import C2I2E
from training.schemas.fields import (
    AcademyCode,
    Code,
    Day,
    Discipline,
    FreeText,
    Id,
    InSchema,
    Moment,
    QueryText,
    StaffId,
    Uai,
    Username,
    YearName,
)

# --- Programmes and modules -----------------------------------------------------------


class ModuleOut(ModelSchema):
    programme_id: int
    items: list[str]
    parcours: str | None

    class Meta:
        model = Module
        fields = ["id", "code", "title", "planned_in_person_minutes", "planned_online_minutes"]

    @staticmethod
    def resolve_items(obj: Module) -> list[str]:
        return [item.code for item in obj.items.all()]

    @staticmethod
    def resolve_parcours(obj: Module) -> str | None:
        return obj.parcours.code if obj.parcours else None


class ProgrammeOut(ModelSchema):
    academy_code: str
    school_year: str
    priority_code: str
    priority_title: str
    kind_label: str
    disciplines: list[str]
    modules: list[ModuleOut]

    class Meta:
        model = Programme
        fields = ["id", "code", "title", "description", "kind", "degree"]

    @staticmethod
    def resolve_academy_code(obj: Programme) -> str:
        return obj.academy.code

    @staticmethod
    def resolve_school_year(obj: Programme) -> str:
        return obj.school_year.name

    @staticmethod
    def resolve_priority_code(obj: Programme) -> str:
        return obj.priority.code

    @staticmethod
    def resolve_priority_title(obj: Programme) -> str:
        return obj.priority.title

    @staticmethod
    def resolve_kind_label(obj: Programme) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_disciplines(obj: Programme) -> list[str]:
        return obj.discipline_list

    @staticmethod
    def resolve_modules(obj: Programme) -> list[Module]:
        return list(obj.modules.all())


class ProgrammeFilter(FilterSchema):
    academy: AcademyCode | None = None
    school_year: YearName | None = None
    priority: Code | None = None
    kind: Programme.Kind | None = None

    def filter_academy(self, value):
        return Q(academy__code=value) if value else Q()

    def filter_school_year(self, value):
        return Q(school_year__name=value) if value else Q()

    def filter_priority(self, value):
        return Q(priority__code=value) if value else Q()


class ProgrammeIn(InSchema):
    academy: AcademyCode = Field(description="Code de l'académie (« 25 »)")
    school_year: YearName = Field(description="Année scolaire (« 2010-2011 »)")
    code: str = Field(max_length=10, description="Identifiant GAIA du dispositif")
    title: str = Field(min_length=1, max_length=200)
    priority: Code = Field(description="Code de la priorité du plan national")
    kind: Programme.Kind = Programme.Kind.INDIVIDUAL
    degree: Degree | None = None
    disciplines: list[Discipline] = Field(default_factory=list, description="Vide : toutes")
    description: FreeText = ""


class ModuleIn(InSchema):
    programme_id: int
    code: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=200)
    planned_in_person_minutes: int = Field(0, ge=0)
    planned_online_minutes: int = Field(0, ge=0)
    items: list[Code] = Field(default_factory=list, description="Codes des items C2i2e")
    parcours: Code | None = Field(None, description="Code du modèle de parcours")


class ProgrammePatch(InSchema):
    """What changes on a dispositif (fields left out stay as they are). Its académie and
    school year do not change: another year's offer is a new dispositif."""

    code: str | None = Field(None, max_length=10, description="Identifiant GAIA du dispositif")
    title: str | None = Field(None, min_length=1, max_length=200)
    priority: Code | None = Field(None, description="Code d'une priorité du plan de son année")
    kind: Programme.Kind | None = None
    degree: Degree | None = Field(None, description="null : tous les degrés")
    disciplines: list[Discipline] | None = Field(None, description="Vide ou null : toutes")
    description: FreeText | None = Field(None, description="null : vide")


class ModulePatch(InSchema):
    """What changes on a module (fields left out stay as they are); it stays in its
    dispositif."""

    code: str | None = Field(None, min_length=1, max_length=20)
    title: str | None = Field(None, min_length=1, max_length=200)
    planned_in_person_minutes: int | None = Field(None, ge=0)
    planned_online_minutes: int | None = Field(None, ge=0)
    items: list[Code] | None = Field(
        None, description="Codes des items C2i2e : remplacent les précédents"
    )
    parcours: Code | None = Field(None, description="Code du modèle de parcours ; null : aucun")


# --- Sessions and slots ---------------------------------------------------------------


class SlotOut(ModelSchema):
    session_id: int
    modality_label: str
    minutes: int
    school_uai: str | None
    school_name: str | None

    class Meta:
        model = Slot
        fields = [
            "id",
            "modality",
            "title",
            "start",
            "end",
            "credited_minutes",
            "room",
            "video_url",
            "status",
            "sequence",
            "conflict_override_reason",
        ]

    @staticmethod
    def resolve_modality_label(obj: Slot) -> str:
        return obj.get_modality_display()

    @staticmethod
    def resolve_school_uai(obj: Slot) -> str | None:
        return obj.school.uai if obj.school else None

    @staticmethod
    def resolve_school_name(obj: Slot) -> str | None:
        return obj.school.name if obj.school else None


class SlotResultOut(Schema):
    """A slot written, with the warnings that do not stop it (holidays)."""

    slot: SlotOut
    warnings: list[str]


class SessionOut(ModelSchema):
    """A session of the catalogue. Reads the ``with_counts()`` annotations and the rows
    of ``for_catalogue()``."""

    module_id: int
    module_code: str
    module_title: str
    programme_id: int
    programme_code: str
    programme_title: str
    programme_kind: str
    priority_code: str
    academy_code: str
    degree: int | None
    disciplines: list[str]
    items: list[str]
    host_school_uai: str | None
    district_id: int | None
    district_name: str | None
    booked_count: int
    waitlisted_count: int
    seats_left: int
    first_start: dt.datetime | None

    class Meta:
        model = Session
        fields = [
            "id",
            "group",
            "status",
            "capacity",
            "waitlist_enabled",
            "approval",
            "enrolment_opens",
            "enrolment_closes",
            "location",
        ]

    @staticmethod
    def resolve_module_code(obj: Session) -> str:
        return obj.module.code

    @staticmethod
    def resolve_first_start(obj: Session) -> dt.datetime | None:
        return obj.first_slot_start

    @staticmethod
    def resolve_module_title(obj: Session) -> str:
        return obj.module.title

    @staticmethod
    def resolve_programme_id(obj: Session) -> int:
        return obj.module.programme_id

    @staticmethod
    def resolve_programme_code(obj: Session) -> str:
        return obj.module.programme.code

    @staticmethod
    def resolve_programme_title(obj: Session) -> str:
        return obj.module.programme.title

    @staticmethod
    def resolve_programme_kind(obj: Session) -> str:
        return obj.module.programme.kind

    @staticmethod
    def resolve_priority_code(obj: Session) -> str:
        return obj.module.programme.priority.code

    @staticmethod
    def resolve_academy_code(obj: Session) -> str:
        return obj.module.programme.academy.code

    @staticmethod
    def resolve_degree(obj: Session) -> int | None:
        return obj.module.programme.degree

    @staticmethod
    def resolve_disciplines(obj: Session) -> list[str]:
        return obj.module.programme.discipline_list

    @staticmethod
    def resolve_items(obj: Session) -> list[str]:
        return [item.code for item in obj.module.items.all()]

    @staticmethod
    def resolve_host_school_uai(obj: Session) -> str | None:
        return obj.host_school.uai if obj.host_school else None

    @staticmethod
    def resolve_district_name(obj: Session) -> str | None:
        return str(obj.district) if obj.district else None

    @staticmethod
    def resolve_seats_left(obj: Session) -> int:
        return max(obj.capacity - obj.booked_count, 0)


class OwnEnrolmentOut(ModelSchema):
    state_label: str

    class Meta:
        model = Enrolment
        fields = ["id", "state", "reason", "created_at"]

    @staticmethod
    def resolve_state_label(obj: Enrolment) -> str:
        return obj.get_state_display()


class SessionDetailOut(SessionOut):
    external_trainers: str
    cancelled_reason: str
    promotion_cutoff_days: int
    cancellation_cutoff_days: int
    trainers: list[str]
    slots: list[SlotOut]
    my_enrolment: OwnEnrolmentOut | None

    @staticmethod
    def resolve_trainers(obj: Session) -> list[str]:
        return [user.get_full_name() or user.get_username() for user in obj.trainers.all()]

    @staticmethod
    def resolve_slots(obj: Session) -> list[Slot]:
        return list(obj.slots.all())

    @staticmethod
    def resolve_my_enrolment(obj: Session) -> Enrolment | None:
        # Prefetched by the endpoint (``caller_enrolments``), newest first.
        mine = getattr(obj, "caller_enrolments", None)
        return mine[0] if mine else None


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class SessionFilter(FilterSchema):
    """The catalogue's filters. A programme without a degree or disciplines is meant for
    all, so it matches any degree or discipline asked for."""

    q: QueryText | None = Field(None, description="Texte : intitulé, identifiant, lieu")
    priority: Code | None = Field(None, description="Code de la priorité")
    degree: Degree | None = None
    discipline: Discipline | None = None
    modality: Modality | None = None
    district: Id | None = Field(None, description="Identifiant du bassin")
    date_from: Day | None = Field(None, description="Première séance à partir du")
    date_to: Day | None = Field(None, description="Première séance jusqu'au")
    item: Code | None = Field(None, description="Code d'un item C2i2e")

    def filter_q(self, value):
        text = (value or "").strip()
        if not text:
            return Q()
        return (
            Q(module__title__icontains=text)
            | Q(module__code__iexact=text)
            | Q(module__programme__title__icontains=text)
            | Q(module__programme__code__iexact=text)
            | Q(location__icontains=text)
        )

    def filter_priority(self, value):
        return Q(module__programme__priority__code=value) if value else Q()

    def filter_degree(self, value):
        if value is None:
            return Q()
        return Q(module__programme__degree=value) | Q(module__programme__degree__isnull=True)

    def filter_discipline(self, value):
        text = (value or "").strip()
        if not text:
            return Q()
        return Q(module__programme__disciplines__icontains=text) | Q(
            module__programme__disciplines=""
        )

    # Multi-valued relations go through subqueries: a join would repeat sessions and
    # inflate the seat counts annotated on the same queryset.
    def filter_modality(self, value):
        if not value:
            return Q()
        slots = Slot.objects.filter(modality=value).exclude(status=Slot.Status.CANCELLED)
        return Q(pk__in=slots.values("session_id"))

    def filter_district(self, value):
        return Q(district_id=value) if value is not None else Q()

    def filter_date_from(self, value):
        return Q(first_slot_start__gte=_start_of(value)) if value else Q()

    def filter_date_to(self, value):
        return Q(first_slot_start__lt=_start_of(value + dt.timedelta(days=1))) if value else Q()

    def filter_item(self, value):
        if not value:
            return Q()
        modules = Module.items.through.objects.filter(
            item__domain__framework__code=C2I2E["code"], item__code=value
        )
        return Q(module_id__in=modules.values("module_id"))


class SessionIn(InSchema):
    module_id: int
    group: str = Field(min_length=1, max_length=2)
    capacity: int = Field(ge=1)
    waitlist_enabled: bool = True
    enrolment_opens: Moment | None = None
    enrolment_closes: Moment | None = None
    approval: Session.Approval = Session.Approval.HEAD
    trainers: list[Username] = Field(default_factory=list, description="Identifiants de connexion")
    external_trainers: str = Field("", max_length=300)
    host_school: Uai | None = Field(None, description="UAI de l'établissement d'accueil")
    district_id: int | None = None
    location: str = Field("", max_length=200)
    promotion_cutoff_days: int = Field(2, ge=0)
    cancellation_cutoff_days: int = Field(1, ge=0)
    first_day: Day | None = Field(None, description="Pour poser les séances du parcours")


class SessionPatch(InSchema):
    """Only the fields sent are changed."""

    capacity: int | None = Field(None, ge=1)
    waitlist_enabled: bool | None = None
    enrolment_opens: Moment | None = None
    enrolment_closes: Moment | None = None
    approval: Session.Approval | None = None
    trainers: list[Username] | None = None
    external_trainers: str | None = Field(None, max_length=300, description="null : vide")
    host_school: Uai | None = None
    district_id: int | None = None
    location: str | None = Field(None, max_length=200, description="null : vide")
    promotion_cutoff_days: int | None = Field(None, ge=0)
    cancellation_cutoff_days: int | None = Field(None, ge=0)


class SlotIn(InSchema):
    modality: Modality
    start: Moment
    end: Moment
    title: str = Field("", max_length=200)
    credited_minutes: int | None = Field(None, ge=1)
    school: Uai | None = Field(None, description="UAI du lieu")
    room: str = Field("", max_length=100)
    video_url: str = Field("", max_length=200)
    override: bool = Field(False, description="Passer outre un conflit (avec son motif)")
    override_reason: str = Field("", max_length=300)


class SlotPatch(InSchema):
    """Only the fields sent are changed."""

    modality: Modality | None = None
    start: Moment | None = None
    end: Moment | None = None
    title: str | None = Field(None, max_length=200)
    credited_minutes: int | None = Field(None, ge=1)
    school: Uai | None = None
    room: str | None = Field(None, max_length=100)
    video_url: str | None = Field(None, max_length=200)
    override: bool = False
    override_reason: str = Field("", max_length=300)


class ReasonIn(InSchema):
    reason: str = Field(max_length=300)


# --- Enrolments -----------------------------------------------------------------------


class EnrolmentOut(ModelSchema):
    state_label: str
    session_id: int
    session_group: str
    module_title: str
    programme_code: str
    staff_id: str
    staff_name: str
    school_uai: str
    school_name: str

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "state",
            "reason",
            "head_approved_at",
            "rectorate_confirmed_at",
            "waitlisted_at",
            "created_at",
            "updated_at",
        ]

    @staticmethod
    def resolve_state_label(obj: Enrolment) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_session_group(obj: Enrolment) -> str:
        return obj.session.group

    @staticmethod
    def resolve_module_title(obj: Enrolment) -> str:
        return obj.session.module.title

    @staticmethod
    def resolve_programme_code(obj: Enrolment) -> str:
        return obj.session.module.programme.code

    @staticmethod
    def resolve_staff_id(obj: Enrolment) -> str:
        return obj.staff.staff_id

    @staticmethod
    def resolve_staff_name(obj: Enrolment) -> str:
        return obj.staff.full_name

    @staticmethod
    def resolve_school_uai(obj: Enrolment) -> str:
        return obj.staff.school.uai

    @staticmethod
    def resolve_school_name(obj: Enrolment) -> str:
        return obj.staff.school.name


class EnrolmentEventOut(ModelSchema):
    actor: str | None = Field(None, description="Vide : changement automatique")

    class Meta:
        model = EnrolmentEvent
        fields = ["from_state", "to_state", "reason", "at"]

    @staticmethod
    def resolve_actor(obj: EnrolmentEvent) -> str | None:
        if obj.actor is None:
            return None
        return obj.actor.get_full_name() or obj.actor.get_username()


class EnrolmentDetailOut(EnrolmentOut):
    events: list[EnrolmentEventOut]

    @staticmethod
    def resolve_events(obj: Enrolment) -> list[EnrolmentEvent]:
        return list(obj.events.all())


class EnrolmentFilter(FilterSchema):
    state: Enrolment.State | None = None
    session: Id | None = Field(None, description="Identifiant de la session")

    def filter_session(self, value):
        return Q(session_id=value) if value is not None else Q()


class RosterEntryOut(ModelSchema):
    """A participant (booked) or a person waiting, as trainers and the rectorate see them."""

    state_label: str
    staff_id: str
    name: str
    email: str
    discipline: str
    school_uai: str
    school_name: str

    class Meta:
        model = Enrolment
        fields = ["id", "state", "waitlisted_at"]

    @staticmethod
    def resolve_state_label(obj: Enrolment) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_staff_id(obj: Enrolment) -> str:
        return obj.staff.staff_id

    @staticmethod
    def resolve_name(obj: Enrolment) -> str:
        return obj.staff.full_name

    @staticmethod
    def resolve_email(obj: Enrolment) -> str:
        return obj.staff.user.email

    @staticmethod
    def resolve_discipline(obj: Enrolment) -> str:
        return obj.staff.discipline

    @staticmethod
    def resolve_school_uai(obj: Enrolment) -> str:
        return obj.staff.school.uai

    @staticmethod
    def resolve_school_name(obj: Enrolment) -> str:
        return obj.staff.school.name


class BookingIn(InSchema):
    staff_id: StaffId = Field(description="Identifiant agent de la personne à inscrire")


class IdsIn(InSchema):
    ids: list[Id] = Field(max_length=500)


class RefusalOut(Schema):
    id: int
    detail: str = Field(
        description="Le motif ; le même pour un identifiant inconnu ou hors de portée"
    )


class BulkOut(Schema):
    """Every id sent, once: done, or refused with its reason."""

    done: list[int] = Field(description="Identifiants traités")
    refused: list[RefusalOut] = Field(description="Identifiants refusés, dans l'ordre envoyé")
