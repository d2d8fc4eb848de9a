"""The rectorate's training system (GAIA) exports: pipe-separated, CP1252, dates
``dd/mm/yyyy`` and times ``HH:MM`` in Paris time (FACTS.md). The shared reader takes
them as they come (it also accepts UTF-8 and the other separators).

Each file comes with its column line or, as the rectorate's system may export it,
without: its first line is then already data, its first column naming the table
(``ACA_FORM``…), and every line is read in the column order of FACTS.md given below
(the first line is a column line when at least half of its cells name columns). A line
with fewer columns than that is refused as « Ligne incomplète », naming the columns it
lacks (trailing empty columns count: ``…|DIST||`` has its ``lieu``).

How they map onto Dune (written through the catalogue and enrolment services, as a
manager of the académie would, so that conflicts, notifications and SEQUENCE behave as
for a change made on a page):

formations ``table|disp_id|disp_name|module_id|module_name|session_id|groupe|start_date|
start_time|end_date|end_time|type_lieu|lieu|`` — one line per slot.

- ``disp_id`` → ``Programme.code`` of the school year containing the slot's start (the
  « développement des usages du numérique » priority of that year's national plan; a
  new programme is *candidature individuelle*: switch it to *public désigné* in the
  admin before importing its stagiaires). ``disp_name`` → its title.
- ``module_id``/``module_name`` → ``Module.code``/``title`` in that programme.
- ``session_id`` → ``Session.gaia_id`` (group ``groupe``, zero-padded to 2 characters).
  A new session is a draft with 30 places (GAIA's exports carry no capacity), to
  review and publish on its page.
- ``disp_id``'s third character ``N`` marks a national dispositif (FACTS.md;
  ``is_national_dispositif``), recorded as ``Programme.national``; any other one is the
  académie's own.
- The programme's and the module's titles are those of their first line in the file.
  When the lines of one module carry different ``module_name`` (one per phase: « …
  phase 1 en présentiel », « … phase 2 à distance »), each slot keeps its line's name as
  its ``title``; with a single name, the slots have no title of their own.
- Each line is a slot whose stable key is ``<session_id>#<rank>``, its rank among the
  session's lines in the file: importing again a file where a slot moved updates that
  slot in place (same calendar UID, SEQUENCE bumped, booked people told). A slot of a
  session in the file whose rank is no longer there is cancelled (kept, as
  ``STATUS:CANCELLED``). Conflicts with other slots are recorded as overridden « Import
  GAIA »: GAIA is the reference for the rectorate's schedule.
- ``type_lieu``, a short code (case, accents, spaces and punctuation ignored; the
  spelt-out forms are accepted too). FACTS.md names the column but not its codes: the
  table ``TYPE_LIEU`` below is Dune's, to confirm with the rectorate.

  ======  =========================================  ==============================
  code    where                                      slot
  ======  =========================================  ==============================
  ETAB    in person, in a school                     in person
  BASS    in person, in the bassin (other place)     in person
  CIRC    in person, in the circonscription          in person
  AUTRE   in person, another place                   in person
  DIST    at a distance, work at one's own pace      self-paced
  FOAD    at a distance (formation ouverte et à      self-paced
          distance)
  CV      at a distance, live (classe virtuelle)     virtual, ``lieu`` its link
  ======  =========================================  ==============================

  Self-paced work is the window from start to end, crediting the daily span
  ``end_time − start_time``. Any other code, or none, refuses the line (the message
  names the code and the accepted ones): a line is never taken as in person by default.
- ``lieu`` of an in-person slot: a UAI of a school of the académie → the slot's school;
  another text → the room (100 characters). A UAI with a wrong check letter, or of no
  known school of the académie, refuses the line.

intervenants ``table|module_id|nom|prénom|email|`` → trainers of every session of the
module (the latest school year's module of that id): a person with an account of the
académie (staff, or trainer membership) found by e-mail is added to the sessions'
trainers; anyone else is added to the sessions' « intervenants extérieurs ».

stagiaires ``table|session_id|nom|prénom|email`` → a booking of that *public désigné*
session for the staff member of the académie with that e-mail (``book_staff``: the
capacity, overlap and eligibility rules apply; a refusal then is reported on the line).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from training.errors import TrainingError
from training.formatting import moment
from training.imports.base import Importer, LineRefused, Plan, Progress, at_most
from training.imports.reader import Column, Table, normalize_header, read_table
from training.models import (
    Modality,
    Module,
    Priority,
    Programme,
    School,
    SchoolYear,
    Session,
    Slot,
)
from training.validators import UAI_RE, validate_uai

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


DEFAULT_CAPACITY = 30


OVERRIDE_REASON = "Import GAIA"


DISP_ID_RE = re.compile(r"^[A-Z0-9]{10}$")


ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,20}$")


# type_lieu → the slot's modality. GAIA's short code first, then the spellings also
# accepted (compared through ``normalize_header``: case, accents, spaces ignored).
#
#   code    also accepted                                  where                  modality
#   ETAB    établissement, présentiel                      in person, a school    in_person
#   BASS    bassin                                         in person, the bassin  in_person
#   CIRC    circonscription                                in person, the circo.  in_person
#   AUTRE   autre lieu                                     in person, elsewhere   in_person
#   DIST    distance, à distance, en ligne, hors temps     at a distance          self_paced
#   FOAD    formation ouverte et à distance                at a distance          self_paced
#   CV      classe virtuelle, visio, visioconférence,      at a distance, live    virtual
#           virtuel
TYPE_LIEU: dict[str, tuple[str, tuple[str, ...]]] = {
    "ETAB": (Modality.IN_PERSON, ("établissement", "présentiel")),
    "BASS": (Modality.IN_PERSON, ("bassin",)),
    "CIRC": (Modality.IN_PERSON, ("circonscription",)),
    "AUTRE": (Modality.IN_PERSON, ("autre lieu",)),
    "DIST": (Modality.SELF_PACED, ("distance", "à distance", "en ligne", "hors temps")),
    "FOAD": (Modality.SELF_PACED, ("formation ouverte et à distance",)),
    "CV": (Modality.VIRTUAL, ("classe virtuelle", "visio", "visioconférence", "virtuel")),
}


MODALITY_OF_TYPE_LIEU = {
    normalize_header(spelling): modality
    for code, (modality, spellings) in TYPE_LIEU.items()
    for spelling in (code, *spellings)
}


def parse_date(value: str, label: str) -> dt.date:
    value = (value or "").strip()
    if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
        raise LineRefused(
            _("%(label)s « %(value)s » : format attendu jj/mm/aaaa.")
            % {"label": label, "value": value}
        )
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise LineRefused(
            _("%(label)s « %(value)s » : cette date n'existe pas.")
            % {"label": label, "value": value}
        ) from None


def parse_time(value: str, label: str) -> dt.time:
    value = (value or "").strip()
    match = re.fullmatch(r"(\d{1,2})[:hH](\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise LineRefused(
            _("%(label)s « %(value)s » : heure attendue HH:MM.") % {"label": label, "value": value}
        )
    return dt.time(int(match[1]), int(match[2]))


def local(day: dt.date, time: dt.time) -> dt.datetime:
    at = dt.datetime.combine(day, time, PARIS)
    # A time skipped by the spring clock change does not exist in Paris.
    if at.astimezone(dt.UTC).astimezone(PARIS).replace(tzinfo=None) != dt.datetime.combine(
        day, time
    ):
        raise LineRefused(
            _("%(day)s %(time)s n'existe pas à Paris (changement d'heure).")
            % {"day": day.strftime("%d/%m/%Y"), "time": time.strftime("%H:%M")}
        )
    return at


def modality_of(type_lieu: str) -> str:
    """The modality of a ``type_lieu`` code; ``LineRefused`` for an unknown or no code."""
    value = (type_lieu or "").strip()
    modality = MODALITY_OF_TYPE_LIEU.get(normalize_header(value))
    if modality is not None:
        return modality
    accepted = ", ".join(TYPE_LIEU)
    if not value:
        raise LineRefused(
            _("Type de lieu manquant : codes acceptés %(codes)s.") % {"codes": accepted}
        )
    raise LineRefused(
        _("Type de lieu « %(code)s » inconnu : codes acceptés %(codes)s.")
        % {"code": value, "codes": accepted}
    )


def is_national_dispositif(disp_id: str) -> bool:
    """A dispositif of the national plan: the third character of its id is ``N``."""
    return Programme.is_national_code(disp_id)


class GaiaImporter(Importer):
    """A GAIA export: with or without its column line (then read in the order of
    ``columns``, FACTS.md's); a line short of columns is refused, saying which."""

    def read(self, data: bytes) -> Table:
        return read_table(data, self.columns, headerless=True)

    def plan(self, data: bytes, progress: Progress | None = None) -> Plan:
        table = self.read(data)
        plan = Plan(lines=len(table) + len(table.refused))
        for line, reason in table.refused.items():
            plan.refuse(line, reason)
        complete = []
        for line, values in table.rows:
            reason = table.incomplete(line)
            if reason:
                plan.refuse(line, reason)
            else:
                complete.append((line, values))
        table.rows = complete
        self._plan(table, plan, progress or (lambda done, total: None))
        return plan


class FormationsImporter(GaiaImporter):
    kind = "gaia_formations"
    # FACTS.md's order: the order of a file without its column line.
    columns = [
        Column("table", (), required=False),
        Column("disp_id", ("dispositif", "id dispositif")),
        Column("disp_name", ("libelle dispositif", "intitule dispositif")),
        Column("module_id", ("module", "id module")),
        Column("module_name", ("libelle module", "intitule module")),
        Column("session_id", ("session", "id session")),
        Column("groupe", ("group", "groupe")),
        Column("start_date", ("date debut",)),
        Column("start_time", ("heure debut",)),
        Column("end_date", ("date fin",)),
        Column("end_time", ("heure fin",)),
        Column("type_lieu", ("type lieu", "type de lieu")),
        Column("lieu", ("place",), required=False),
    ]

    def _plan(self, table, plan: Plan, progress) -> None:
        years = list(SchoolYear.objects.all())
        uais = {
            s.uai: s for s in School.objects.filter(academy=self.academy).only("pk", "uai", "name")
        }
        sessions_seen: dict[str, tuple[int, tuple]] = {}
        ranks: dict[str, int] = {}
        slots_seen: dict[tuple, int] = {}
        rows = []
        for line, values in table.rows:
            try:
                row = self._row(values, years, uais)
                owner = (row["disp_id"], row["module_id"], row["group"], row["year"].pk)
                first = sessions_seen.setdefault(row["session_id"], (line, owner))
                if first[1] != owner:
                    raise LineRefused(
                        _(
                            "La session %(id)s est rattachée ligne %(line)s à un autre "
                            "dispositif, module, groupe ou année."
                        )
                        % {"id": row["session_id"], "line": first[0]}
                    )
                when = (row["session_id"], row["start"], row["end"])
                if when in slots_seen:
                    raise LineRefused(
                        _("Séance en double dans le fichier (aussi ligne %(line)s).")
                        % {"line": slots_seen[when]}
                    )
                slots_seen[when] = line
            except LineRefused as exc:
                plan.refuse(line, exc.message)
                continue
            ranks[row["session_id"]] = ranks.get(row["session_id"], 0) + 1
            row["key"] = f"{row['session_id']}#{ranks[row['session_id']]}"
            row["line"] = line
            rows.append(row)
        self._titles(rows)
        existing = {
            s.gaia_key: s
            for s in Slot.objects.filter(
                session__module__programme__academy=self.academy,
                gaia_key__in=[r["key"] for r in rows],
            ).select_related("session__module__programme", "school")
        }
        for row in rows:
            slot = existing.get(row["key"])
            if slot is None:
                plan.created += 1
            elif self._differs(slot, row):
                plan.updated += 1
            else:
                plan.unchanged += 1
        # Slots of the file's sessions that GAIA no longer lists: to cancel (an update).
        plan.updated += (
            Slot.objects.filter(
                session__module__programme__academy=self.academy, session__gaia_id__in=list(ranks)
            )
            .exclude(gaia_key="")
            .exclude(gaia_key__in=[r["key"] for r in rows])
            .exclude(status=Slot.Status.CANCELLED)
            .count()
        )
        plan.work = {"rows": rows, "sessions": sorted(ranks)}

    @staticmethod
    def _titles(rows: list[dict]) -> None:
        """The programme's and module's titles (their first line's), and each slot's: its
        line's ``module_name`` when the module's lines carry several (its phases)."""
        programme_titles: dict[tuple, str] = {}
        module_names: dict[tuple, list[str]] = {}
        for row in rows:
            programme_titles.setdefault((row["disp_id"], row["year"].pk), row["disp_name"])
            names = module_names.setdefault((row["disp_id"], row["year"].pk, row["module_id"]), [])
            if row["module_name"] not in names:
                names.append(row["module_name"])
        for row in rows:
            names = module_names[(row["disp_id"], row["year"].pk, row["module_id"])]
            row["programme_title"] = programme_titles[(row["disp_id"], row["year"].pk)]
            row["module_title"] = names[0]
            row["title"] = row["module_name"] if len(names) > 1 else ""

    def _row(self, values: dict, years, uais) -> dict:
        disp_id = values.get("disp_id", "").strip().upper()
        if not DISP_ID_RE.match(disp_id):
            raise LineRefused(
                _("Identifiant de dispositif « %(id)s » invalide : 10 lettres ou chiffres.")
                % {"id": disp_id}
            )
        module_id = values.get("module_id", "").strip()
        session_id = values.get("session_id", "").strip()
        for label, value in (
            (_("Identifiant de module"), module_id),
            (_("Identifiant de session"), session_id),
        ):
            if not ID_RE.match(value):
                raise LineRefused(
                    _("%(label)s « %(value)s » invalide.") % {"label": label, "value": value}
                )
        group = values.get("groupe", "").strip()
        if not re.fullmatch(r"[A-Za-z0-9]{1,2}", group):
            raise LineRefused(_("Groupe « %(value)s » invalide : 2 caractères.") % {"value": group})
        group = group.zfill(2)
        disp_name = values.get("disp_name", "").strip()
        module_name = values.get("module_name", "").strip()
        if not disp_name or not module_name:
            raise LineRefused(_("Intitulé du dispositif ou du module manquant."))
        start_day = parse_date(values.get("start_date"), _("Date de début"))
        end_day = parse_date(values.get("end_date"), _("Date de fin"))
        start_time = parse_time(values.get("start_time"), _("Heure de début"))
        end_time = parse_time(values.get("end_time"), _("Heure de fin"))
        start, end = local(start_day, start_time), local(end_day, end_time)
        if end <= start:
            raise LineRefused(
                _("La fin (%(end)s) n'est pas après le début (%(start)s).")
                % {"end": moment(end), "start": moment(start)}
            )
        year = next((y for y in years if y.start <= start_day <= y.end), None)
        if year is None:
            raise LineRefused(
                _("Aucune année scolaire ne contient le %(day)s.")
                % {"day": start_day.strftime("%d/%m/%Y")}
            )
        modality = modality_of(values.get("type_lieu", ""))
        place = values.get("lieu", "").strip()
        school, room, video_url, credited = None, "", "", None
        if modality == Modality.VIRTUAL:
            if not re.match(r"^https?://", place):
                raise LineRefused(_("Une classe virtuelle doit avoir son lien (http…) en lieu."))
            video_url = place
        elif modality == Modality.SELF_PACED:
            credited = (end_time.hour * 60 + end_time.minute) - (
                start_time.hour * 60 + start_time.minute
            )
            if credited <= 0:
                raise LineRefused(
                    _("Travail en ligne : l'heure de fin doit suivre l'heure de début.")
                )
        elif UAI_RE.match(place.upper()):
            try:
                validate_uai(place.upper())
            except ValidationError as exc:
                raise LineRefused(exc.messages[0]) from None
            school = uais.get(place.upper())
            if school is None:
                raise LineRefused(
                    _("Établissement inconnu dans l'académie : UAI %(uai)s.")
                    % {"uai": place.upper()}
                )
        else:
            room = at_most(place, 100, _("Lieu"))
        return {
            "disp_id": disp_id,
            # Stripped as the services store them (else every import would find them
            # changed); longer than their column, the line is refused, never cut.
            "disp_name": at_most(disp_name, 200, _("Intitulé du dispositif")),
            "module_id": module_id,
            "module_name": at_most(module_name, 200, _("Intitulé du module")),
            "session_id": session_id,
            "group": group,
            "year": year,
            "start": start,
            "end": end,
            "modality": str(modality),
            "school": school,
            "room": room,
            "video_url": video_url,
            "credited_minutes": credited,
        }

    @staticmethod
    def _slot_fields(row: dict) -> dict:
        return {
            "modality": row["modality"],
            "title": row["title"],
            "start": row["start"],
            "end": row["end"],
            "school": row["school"],
            "room": row["room"],
            "video_url": row["video_url"],
            "credited_minutes": row["credited_minutes"],
        }

    def _differs(self, slot: Slot, row: dict) -> bool:
        programme = slot.session.module.programme
        fields = self._slot_fields(row)
        return (
            slot.status == Slot.Status.CANCELLED
            or any(getattr(slot, k) != v for k, v in fields.items())
            or programme.title != row["programme_title"]
            or slot.session.module.title != row["module_title"]
        )

    def _apply(self, plan: Plan, progress) -> None:
        from training import services

        programmes, modules, sessions = {}, {}, {}
        rows = plan.work["rows"]
        plan.created = plan.updated = plan.unchanged = 0
        keys_in_file = {row["key"] for row in rows}
        failed_sessions = set()
        for index, row in enumerate(rows):
            progress(index, len(rows))
            try:
                session = self._session(row, programmes, modules, sessions)
                slot = (
                    Slot.objects.filter(session=session, gaia_key=row["key"])
                    .select_related("session__module__programme", "school")
                    .first()
                )
                fields = self._slot_fields(row)
                if slot is None:
                    result = services.add_slot(
                        user=self.user,
                        session=session,
                        override=True,
                        override_reason=OVERRIDE_REASON,
                        **fields,
                    )
                    result.slot.gaia_key = row["key"]  # saved, so that the trail records it
                    result.slot.save(update_fields=["gaia_key"])
                    plan.created += 1
                elif self._differs(slot, row):
                    if slot.status == Slot.Status.CANCELLED:
                        # Back in GAIA: scheduled again (a change, SEQUENCE bumped).
                        slot.status = Slot.Status.SCHEDULED
                        slot.save(update_fields=["status"])
                    services.update_slot(
                        user=self.user,
                        slot=slot,
                        override=True,
                        override_reason=OVERRIDE_REASON,
                        **fields,
                    )
                    plan.updated += 1
                else:
                    plan.unchanged += 1
            except TrainingError as exc:
                failed_sessions.add(row["session_id"])
                plan.refuse(row["line"], exc.message)
        # Slots of the file's sessions that GAIA no longer lists are cancelled.
        for session_id in plan.work["sessions"]:
            if session_id in failed_sessions:
                continue
            gone = Slot.objects.filter(
                session__module__programme__academy=self.academy,
                session__gaia_id=session_id,
                gaia_key__startswith=f"{session_id}#",
            ).exclude(Q(gaia_key__in=keys_in_file) | Q(status=Slot.Status.CANCELLED))
            for slot in gone:
                services.cancel_slot(user=self.user, slot=slot)
                plan.updated += 1
        progress(len(rows), len(rows))

    def _session(self, row, programmes, modules, sessions) -> Session:
        from training import services

        if row["session_id"] in sessions:
            return sessions[row["session_id"]]
        year = row["year"]
        key = (row["disp_id"], year.pk)
        if key not in programmes:
            programme = Programme.objects.filter(
                academy=self.academy, school_year=year, code=row["disp_id"]
            ).first()
            if programme is None:
                priority = (
                    Priority.objects.filter(plan__school_year=year, code="numerique").first()
                    or Priority.objects.filter(plan__school_year=year).first()
                )
                if priority is None:
                    raise TrainingError(
                        _("Aucun plan national pour %(year)s : priorité introuvable.")
                        % {"year": year}
                    )
                programme = services.create_programme(
                    user=self.user,
                    academy=self.academy,
                    school_year=year,
                    code=row["disp_id"],
                    title=row["programme_title"],
                    priority=priority,
                )
            elif programme.title != row["programme_title"]:
                programme.title = row["programme_title"]
                programme.save(update_fields=["title"])
            programmes[key] = programme
        programme = programmes[key]
        mkey = (programme.pk, row["module_id"])
        if mkey not in modules:
            module = Module.objects.filter(programme=programme, code=row["module_id"]).first()
            if module is None:
                module = services.create_module(
                    user=self.user,
                    programme=programme,
                    code=row["module_id"],
                    title=row["module_title"],
                )
            elif module.title != row["module_title"]:
                module.title = row["module_title"]
                module.save(update_fields=["title"])
            modules[mkey] = module
        module = modules[mkey]
        session = (
            Session.objects.filter(
                module__programme__academy=self.academy, gaia_id=row["session_id"]
            ).first()
            or Session.objects.filter(module=module, group=row["group"]).first()
        )
        if session is None:
            session = services.create_session(
                user=self.user, module=module, group=row["group"], capacity=DEFAULT_CAPACITY
            )
        if session.gaia_id != row["session_id"]:
            session.gaia_id = row["session_id"]
            session.save(update_fields=["gaia_id"])
        sessions[row["session_id"]] = session
        return session
