"""The HTML tables (django-tables2) and their CSV/XLSX export."""

from __future__ import annotations

import django_tables2 as tables
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from training.formatting import hours, hours_figure, moment
from training.models import Enrolment, Modality, School, Session, Slot
from training.spreadsheets import FORMATS, file_response

# A column one may do without on a phone (dune.css hides it under 48em).
SECONDARY = {"th": {"class": "dune-secondary"}, "td": {"class": "dune-secondary"}}


class SchoolTable(tables.Table):
    name = tables.LinkColumn(
        "training:school_detail", args=[tables.A("uai")], verbose_name=_("Nom")
    )
    district = tables.Column(
        verbose_name=_("Bassin / circonscription"), order_by=("district__name",)
    )

    class Meta:
        model = School
        fields = ["uai", "name", "kind", "degree", "city", "district", "academy"]
        attrs = {"class": "fr-table"}
        template_name = "django_tables2/table.html"
        order_by = "name"


# --- What the tables show of a session ------------------------------------------------


def active_slots(session: Session) -> list[Slot]:
    """The session's scheduled slots, from the prefetch (``slots``) when there is one."""
    return [slot for slot in session.slots.all() if slot.status != Slot.Status.CANCELLED]


def session_modalities(session: Session) -> str:
    seen = []
    for slot in active_slots(session):
        label = slot.get_modality_display()
        if label not in seen:
            seen.append(label)
    return ", ".join(str(label) for label in seen) or "—"


def session_place(session: Session) -> str:
    if session.location:
        return session.location
    if session.host_school_id:
        return session.host_school.name
    schools = {s.school.name for s in active_slots(session) if s.school_id}
    if schools:
        return ", ".join(sorted(schools))
    if any(s.modality != Modality.IN_PERSON for s in active_slots(session)):
        return gettext("À distance")
    return "—"


def session_dates(session: Session) -> str:
    """« 12/01/2011 », « du 12/01/2011 au 26/01/2011 », or « À fixer »."""
    slots = active_slots(session)
    if not slots:
        return gettext("À fixer")
    first = moment(min(s.start for s in slots), "d/m/Y")
    last = moment(max(s.end for s in slots), "d/m/Y")
    if first == last:
        return first
    return gettext("du %(first)s au %(last)s") % {"first": first, "last": last}


def seats_left(session: Session) -> int:
    """From ``Session.objects.with_counts()``'s annotation."""
    return max(session.capacity - session.booked_count, 0)


STATE_BADGES = {
    Enrolment.State.REQUESTED: "fr-badge--info",
    Enrolment.State.APPROVED: "fr-badge--info",
    Enrolment.State.BOOKED: "fr-badge--success",
    Enrolment.State.WAITLISTED: "fr-badge--new",
    Enrolment.State.DECLINED: "fr-badge--error",
    Enrolment.State.EXPIRED: "fr-badge--warning",
    Enrolment.State.CANCELLED: "",
    Enrolment.State.SESSION_CANCELLED: "fr-badge--warning",
}


def state_badge(enrolment: Enrolment) -> str:
    return format_html(
        '<p class="fr-badge fr-badge--sm {}" data-state="{}">{}</p>',
        STATE_BADGES.get(enrolment.state, ""),
        enrolment.state,
        enrolment.get_state_display(),
    )


# --- Catalogue ------------------------------------------------------------------------


class SessionCells:
    """The cells a table of sessions shares: module, dates, modalities, place (the
    scheduled slots fetched)."""

    def value_module(self, record):
        return record.module.title

    def render_dates(self, record):
        return session_dates(record)

    def render_modality(self, record):
        return session_modalities(record)

    def render_place(self, record):
        return session_place(record)


class CatalogueTable(SessionCells, tables.Table):
    """Sessions of the catalogue. Expects ``Session.objects.with_counts()`` with the
    programme, the host school and the scheduled slots (and their school) fetched."""

    programme = tables.Column(
        verbose_name=_("Dispositif"),
        accessor="module__programme__title",
        order_by=("module__programme__code", "module__title"),
    )
    module = tables.Column(
        verbose_name=_("Module"), accessor="module__title", order_by=("module__title", "group")
    )
    group = tables.Column(verbose_name=_("Groupe"), attrs=SECONDARY)
    dates = tables.Column(
        verbose_name=_("Dates"),
        accessor="first_slot_start",
        order_by="first_slot_start",
        empty_values=(),
    )
    modality = tables.Column(verbose_name=_("Modalité"), empty_values=(), orderable=False)
    place = tables.Column(verbose_name=_("Lieu"), empty_values=(), orderable=False)
    seats = tables.Column(verbose_name=_("Places restantes"), empty_values=(), orderable=False)
    mine = tables.Column(verbose_name=_("Mon inscription"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("État"), visible=False)

    class Meta:
        attrs = {"data-testid": "catalogue"}
        template_name = "training/_table.html"
        # Unsorted, the view's order stands: soonest first, sessions without dates last.
        empty_text = _("Aucune session ne correspond à votre recherche.")

    def __init__(self, *args, my_enrolments=None, show_status=False, **kwargs):
        # {session id: the user's enrolment}, read in one query by the view.
        self.my_enrolments = my_enrolments or {}
        super().__init__(*args, **kwargs)
        if show_status:
            self.columns.show("status")

    def render_programme(self, record):
        programme = record.module.programme
        return format_html("{}<br><small>{}</small>", programme.title, programme.code)

    def render_module(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("training:session_detail", args=[record.pk]),
            record.module.title,
        )

    def render_seats(self, record):
        left = seats_left(record)
        if left == 0:
            if record.waitlist_enabled:
                return gettext("Complet (liste d'attente : %(n)s)") % {"n": record.waitlisted_count}
            return gettext("Complet")
        return f"{left} / {record.capacity}"

    def render_mine(self, record):
        enrolment = self.my_enrolments.get(record.pk)
        return state_badge(enrolment) if enrolment else "—"

    def value_mine(self, record):
        enrolment = self.my_enrolments.get(record.pk)
        return enrolment.get_state_display() if enrolment else ""


class SlotTable(tables.Table):
    """The slots of one session page; ``manage`` adds the edit and cancel actions."""

    when = tables.Column(verbose_name=_("Date"), accessor="start", orderable=False)
    modality = tables.Column(verbose_name=_("Modalité"), orderable=False)
    title = tables.Column(verbose_name=_("Intitulé"), orderable=False, empty_values=())
    place = tables.Column(verbose_name=_("Lieu"), empty_values=(), orderable=False)
    duration = tables.Column(verbose_name=_("Durée"), empty_values=(), orderable=False)
    calendar = tables.Column(
        verbose_name=_("Agenda"), empty_values=(), orderable=False, exclude_from_export=True
    )
    actions = tables.Column(
        verbose_name=_("Actions"), empty_values=(), orderable=False, visible=False
    )

    class Meta:
        attrs = {"data-testid": "slots"}
        template_name = "training/_table.html"
        empty_text = _("Les dates ne sont pas encore fixées.")
        row_attrs = {"data-status": lambda record: record.status}

    def __init__(self, *args, manage=False, **kwargs):
        super().__init__(*args, **kwargs)
        if manage:
            self.columns.show("actions")

    def render_when(self, record):
        if record.modality == Modality.SELF_PACED:
            text = gettext("du %(start)s au %(end)s") % {
                "start": moment(record.start),
                "end": moment(record.end),
            }
        elif timezone.localdate(record.start) == timezone.localdate(record.end):
            text = gettext("%(day)s, %(start)s–%(end)s") % {
                "day": moment(record.start, "l j F Y"),
                "start": moment(record.start, "H:i"),
                "end": moment(record.end, "H:i"),
            }
        else:
            text = f"{moment(record.start)} – {moment(record.end)}"
        if record.status == Slot.Status.CANCELLED:
            return format_html(
                '<s>{}</s> <p class="fr-badge fr-badge--sm fr-badge--error">{}</p>',
                text,
                record.get_status_display(),
            )
        return text

    def render_title(self, record):
        return record.title or (record.phase.title if record.phase_id else "—")

    def render_place(self, record):
        if record.modality == Modality.VIRTUAL:
            if record.video_url:
                return format_html(
                    '<a href="{}" rel="noopener" target="_blank">{}</a>',
                    record.video_url,
                    gettext("Rejoindre la classe virtuelle"),
                )
            return gettext("Classe virtuelle")
        if record.modality == Modality.SELF_PACED:
            return gettext("En ligne")
        if record.school_id and record.room:
            room = record.room
            if room[0].isdigit() or len(room) <= 4:  # "B12", "104": a room number
                room = gettext("salle %(room)s") % {"room": room}
            return f"{record.school.name}, {room}"
        if record.school_id:
            return record.school.name
        return record.room or record.session.location or "—"

    def render_duration(self, record):
        if record.modality == Modality.SELF_PACED:
            return gettext("%(hours)s créditées") % {"hours": hours(record.minutes)}
        return hours(record.minutes)

    def render_calendar(self, record):
        # A one-off copy to import; a cancelled slot has nothing left to add.
        if record.status == Slot.Status.CANCELLED:
            return "—"
        return format_html(
            '<a class="fr-link fr-icon-calendar-line fr-link--icon-left" href="{}" download '
            'data-testid="slot-ics">{}</a>',
            reverse("training:ical_slot", args=[record.pk]),
            gettext("Télécharger (.ics)"),
        )

    def render_actions(self, record):
        if record.status == Slot.Status.CANCELLED:
            return "—"
        return format_html(
            '<a class="fr-btn fr-btn--sm fr-btn--secondary" href="{}">{}</a>',
            reverse("training:slot_edit", args=[record.pk]),
            gettext("Modifier"),
        )


# --- Enrolments -----------------------------------------------------------------------


class QueueTable(tables.Table):
    """Requests waiting for a decision, with a box to tick per row. Expects the staff,
    their school and the session's module to be fetched, and ``first_start``."""

    ids = tables.Column(
        verbose_name=_("Sélection"), accessor="pk", orderable=False, exclude_from_export=True
    )
    name = tables.Column(
        verbose_name=_("Nom"),
        accessor="staff__user__last_name",
        order_by=("staff__user__last_name", "staff__user__first_name"),
    )
    school = tables.Column(
        verbose_name=_("Établissement"), accessor="staff__school__name", orderable=True
    )
    session = tables.Column(
        verbose_name=_("Formation"),
        accessor="session__module__title",
        order_by=("session__module__title", "session__group"),
    )
    dates = tables.Column(verbose_name=_("Début"), accessor="first_start", order_by="first_start")
    created_at = tables.Column(verbose_name=_("Demandée le"), attrs=SECONDARY)
    state = tables.Column(verbose_name=_("État"))

    class Meta:
        attrs = {}
        template_name = "training/_table.html"
        order_by = "created_at"
        empty_text = _("Aucune demande en attente.")

    def __init__(self, *args, prefix_id="queue", **kwargs):
        self.prefix_id = prefix_id
        super().__init__(*args, **kwargs)

    def render_ids(self, record):
        # A native checkbox: the DSFR one draws its box on the label, which a narrow
        # table cell clips.
        return format_html(
            '<input type="checkbox" name="ids" value="{}" id="{}-{}" aria-label="{}">',
            record.pk,
            self.prefix_id,
            record.pk,
            gettext("Sélectionner la demande de %(name)s") % {"name": record.staff.full_name},
        )

    def render_name(self, record):
        return record.staff.full_name

    def render_session(self, record):
        return format_html(
            '<a href="{}">{}</a> <small>({})</small>',
            reverse("training:session_detail", args=[record.session_id]),
            record.session.module.title,
            gettext("groupe %(group)s") % {"group": record.session.group},
        )

    def render_dates(self, value):
        return moment(value, "d/m/Y")

    def render_created_at(self, value):
        return moment(value)

    def render_state(self, record):
        return state_badge(record)


class MyEnrolmentTable(tables.Table):
    """A teacher's own enrolments, newest first. Expects the session's module, host
    school and slots (with their school) fetched."""

    session = tables.Column(verbose_name=_("Formation"), accessor="session__module__title")
    dates = tables.Column(verbose_name=_("Dates"), accessor="session", empty_values=())
    modality = tables.Column(verbose_name=_("Modalité"), accessor="session", empty_values=())
    place = tables.Column(verbose_name=_("Lieu"), accessor="session", empty_values=())
    state = tables.Column(verbose_name=_("État"))
    updated_at = tables.Column(verbose_name=_("Depuis le"), attrs=SECONDARY)
    actions = tables.TemplateColumn(
        template_name="training/_cancel_enrolment_form.html",
        verbose_name=_("Actions"),
        empty_values=(),
    )

    class Meta:
        attrs = {"data-testid": "my-training"}
        template_name = "training/_table.html"
        orderable = False
        empty_text = _("Vous n'avez encore demandé aucune formation.")
        row_attrs = {"data-enrolment": lambda record: record.pk}

    def render_session(self, record):
        return format_html(
            '<a href="{}">{}</a> <small>({})</small>',
            reverse("training:session_detail", args=[record.session_id]),
            record.session.module.title,
            gettext("groupe %(group)s") % {"group": record.session.group},
        )

    def render_dates(self, value):
        return session_dates(value)

    def render_modality(self, value):
        return session_modalities(value)

    def render_place(self, value):
        return session_place(value)

    def render_state(self, record):
        if record.reason and not record.is_active:
            return format_html("{}<br><small>{}</small>", state_badge(record), record.reason)
        return state_badge(record)

    def render_updated_at(self, value):
        return moment(value, "d/m/Y")


class RosterTable(tables.Table):
    """A session's participants. Expects the staff, their user and school fetched."""

    last_name = tables.Column(verbose_name=_("Nom"), accessor="staff__user__last_name")
    first_name = tables.Column(verbose_name=_("Prénom"), accessor="staff__user__first_name")
    staff_id = tables.Column(verbose_name=_("Identifiant agent"), accessor="staff__staff_id")
    school = tables.Column(verbose_name=_("Établissement"), accessor="staff__school__name")
    uai = tables.Column(verbose_name=_("UAI"), accessor="staff__school__uai", visible=False)
    discipline = tables.Column(verbose_name=_("Discipline"), accessor="staff__discipline")
    email = tables.Column(verbose_name=_("Courriel"), accessor="staff__user__email")
    state = tables.Column(verbose_name=_("État"))
    created_at = tables.Column(verbose_name=_("Demandée le"))
    updated_at = tables.Column(verbose_name=_("Dernier changement"))

    class Meta:
        attrs = {"data-testid": "roster"}
        template_name = "training/_table.html"
        order_by = ("last_name", "first_name")
        empty_text = _("Aucun participant.")

    def render_state(self, record):
        return state_badge(record)

    def value_state(self, record):
        return record.get_state_display()

    def render_created_at(self, value):
        return moment(value)

    def render_updated_at(self, value):
        return moment(value)


# --- Export ---------------------------------------------------------------------------

EXPORT_FORMATS = FORMATS


def export_response(table: tables.Table, export_format: str, filename: str) -> HttpResponse:
    """The table's rows (every page, every column but the excluded ones) as a file: CSV
    with ``;`` and a UTF-8 BOM, which French spreadsheet users open as is, or XLSX."""
    return file_response(table.as_values(), export_format, filename)


# --- Hours and C2i2e follow-up --------------------------------------------------------


class SuiviTable(tables.Table):
    """People with their hours of the year and validated C2i2e items. Expects
    ``records.with_hours()``'s annotations (``minutes``, ``validated_items``)."""

    name = tables.Column(
        verbose_name=_("Nom"),
        accessor="user__last_name",
        order_by=("user__last_name", "user__first_name"),
    )
    staff_id = tables.Column(verbose_name=_("Identifiant agent"))
    school = tables.Column(verbose_name=_("Établissement"), accessor="school__name")
    uai = tables.Column(verbose_name=_("UAI"), accessor="school__uai")
    minutes = tables.Column(verbose_name=_("Heures de l'année"), order_by="minutes")
    target = tables.Column(verbose_name=_("Objectif"), empty_values=(), orderable=False)
    validated_items = tables.Column(
        verbose_name=_("Items C2i2e validés"), order_by="validated_items"
    )

    class Meta:
        attrs = {"data-testid": "follow-up"}
        template_name = "training/_table.html"
        empty_text = _("Personne à suivre.")
        row_attrs = {"data-staff": lambda record: record.pk}

    def __init__(self, *args, targets=None, total_items=0, **kwargs):
        # {degree: target minutes} for the year, read once by the view.
        self.targets = targets or {}
        self.total_items = total_items
        super().__init__(*args, **kwargs)

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("training:staff_record", args=[record.pk]),
            record.full_name,
        )

    def value_name(self, record):
        return record.full_name

    def render_minutes(self, value):
        return hours(value)

    def value_minutes(self, value):
        return hours_figure(value)

    def render_target(self, record):
        target = self.targets.get(record.degree)
        return hours(target) if target is not None else "—"

    def value_target(self, record):
        target = self.targets.get(record.degree)
        return hours_figure(target)

    def render_validated_items(self, value):
        return f"{value} / {self.total_items}"

    def value_validated_items(self, value):
        return value


__all__ = [
    "CatalogueTable",
    "MyEnrolmentTable",
    "QueueTable",
    "RosterTable",
    "SchoolTable",
    "SlotTable",
    "SuiviTable",
    "export_response",
    "hours",
]


# --- A trainer's sessions -------------------------------------------------------------


class TrainerSessionTable(SessionCells, tables.Table):
    """« Sessions que j'anime ». Expects ``with_counts()`` and ``with_sheets_to_fill()``,
    the module and the scheduled slots fetched."""

    module = tables.Column(
        verbose_name=_("Formation"), accessor="module__title", order_by=("module__title", "group")
    )
    dates = tables.Column(
        verbose_name=_("Dates"),
        accessor="first_slot_start",
        order_by="first_slot_start",
        empty_values=(),
    )
    modality = tables.Column(verbose_name=_("Modalité"), empty_values=(), orderable=False)
    place = tables.Column(verbose_name=_("Lieu"), empty_values=(), orderable=False)
    booked = tables.Column(
        verbose_name=_("Inscrits"), accessor="booked_count", orderable=False, empty_values=()
    )
    todo = tables.Column(verbose_name=_("À faire"), empty_values=(), orderable=False)

    class Meta:
        attrs = {"data-testid": "my-sessions"}
        template_name = "training/_table.html"
        empty_text = _("Vous n'animez aucune session.")

    def render_module(self, record):
        return format_html(
            '<a href="{}">{}</a><br><small>{}</small>',
            reverse("training:session_detail", args=[record.pk]),
            record.module.title,
            gettext("groupe %(group)s") % {"group": record.group},
        )

    def render_booked(self, record):
        return f"{record.booked_count} / {record.capacity}"

    def render_todo(self, record):
        if record.sheets_to_fill:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("training:session_detail", args=[record.pk]),
                ngettext(
                    "%(n)s feuille d'émargement à remplir",
                    "%(n)s feuilles d'émargement à remplir",
                    record.sheets_to_fill,
                )
                % {"n": record.sheets_to_fill},
            )
        return "—"

    def value_todo(self, record):
        return record.sheets_to_fill
