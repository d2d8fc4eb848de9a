"""The ministry's school calendar, as data.education.gouv.fr publishes it.

The open-data file *Calendrier scolaire* (``fr-en-calendrier-scolaire``), downloaded as
CSV with ``;``, has one line per holiday period and académie::

    Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire
    Vacances de la Toussaint;-;2026-10-17T00:00:00+02:00;2026-11-02T00:00:00+01:00;
    Versailles;Zone C;2026-2027   (one line in the file)

- ``Date de début`` is the day classes end after (« fin des cours »), ``Date de fin`` the
  day they resume (« reprise des cours »), as ``HolidayPeriod`` stores them; a date with
  its time and offset is read as the day it is in Paris (the portal writes midnight in
  Paris, sometimes in UTC).
- ``Zones`` « Zone A », « Zone B », « Zone C » give each académie's zone for the year
  (``AcademyZone``). A period whose dates are the same in the three zones is stored once
  for every zone (Toussaint, Noël, été); the others once per zone (hiver, printemps).
- Lines of another calendar (Corse and the overseas académies, whose ``Zones`` names
  them) and of a population other than teachers (``Élèves``) are counted as ignored;
  « Normandie » (Caen and Rouen merged in 2020) sets the zone of both.
- Each school year of the file (``annee_scolaire``) that Dune knows, or that is asked
  for (``years``), has its periods replaced by the file's: importing the same file again
  changes nothing. A line that cannot be read refuses the whole file; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from training.imports.reader import Column, FileRefused, read_table
from training.models import Academy, AcademyZone, HolidayPeriod, SchoolYear, Zone
from training.reference import ensure_school_year, school_year_bounds

# The current year's calendar, shipped for the demo (``seed_demo``) and the tests.
SHIPPED = (
    Path(__file__).resolve().parent.parent / "data" / "fr-en-calendrier-scolaire-2026-2027.csv"
)

PARIS = ZoneInfo("Europe/Paris")

COLUMNS = [
    Column("description", ("Description",)),
    Column("population", ("Population",), required=False),
    Column("debut", ("Date de début", "start_date")),
    Column("fin", ("Date de fin", "end_date")),
    Column("academie", ("Académies", "Académie", "location")),
    Column("zones", ("Zones", "zone")),
    Column("annee", ("annee_scolaire", "Année scolaire")),
]

# Académie names of the file that stand for several of Dune's.
ACADEMY_ALIASES = {"normandie": ("Caen", "Rouen")}
ZONES = {f"zone {zone.value.lower()}": zone.value for zone in Zone}
IGNORED_POPULATIONS = {"eleves", "élèves"}
MAX_ERRORS = 20


@dataclass
class CalendarImport:
    years: list[str] = field(default_factory=list)
    periods: int = 0
    zones: int = 0
    ignored: int = 0

    def summary(self) -> str:
        return _(
            "Calendrier scolaire %(years)s : %(periods)s périodes de vacances, zone de "
            "%(zones)s académies ; %(ignored)s lignes ignorées (autre calendrier ou "
            "population)."
        ) % {
            "years": ", ".join(self.years) or "—",
            "periods": self.periods,
            "zones": self.zones,
            "ignored": self.ignored,
        }


def period_name(description: str) -> str:
    """« Vacances de la Toussaint » → « Toussaint », « Vacances d'Été » → « Été »."""
    name = re.sub(
        r"^(début des )?vacances (de la |de l'|de |d'|d’)?", "", description.strip(), flags=re.I
    )
    name = name.strip() or description.strip()
    return (name[0].upper() + name[1:])[:50]


def parse_day(value: str) -> dt.date:
    """The day in Paris of « 2026-10-17 », « 2026-10-16T22:00:00+00:00 » or « 17/10/2026 »."""
    value = value.strip()
    if re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(PARIS)
    return moment.date()


def _academies() -> dict[str, list[Academy]]:
    by_name: dict[str, list[Academy]] = defaultdict(list)
    academies = {a.name.lower(): a for a in Academy.objects.all()}
    for name, academy in academies.items():
        by_name[name].append(academy)
    for alias, names in ACADEMY_ALIASES.items():
        by_name[alias] = [academies[n.lower()] for n in names if n.lower() in academies]
    return by_name


def import_school_calendar(data: bytes, *, years: list[str] | None = None) -> CalendarImport:
    """Read the ministry's calendar file and replace the holidays and zones of its school
    years (those Dune knows, and ``years`` which are created when missing). Raises
    ``FileRefused`` with every line that cannot be read; nothing is written then."""
    table = read_table(data, COLUMNS)
    academies = _academies()
    known = set(SchoolYear.objects.values_list("name", flat=True)) | set(years or [])
    errors = [
        _("Ligne %(line)s : %(reason)s") % {"line": line, "reason": reason}
        for line, reason in table.refused.items()
    ]
    result = CalendarImport()
    # (year, name) → zone → (classes_end, classes_resume); (year, académie) → zone.
    periods: dict[tuple[str, str], dict[str, tuple[dt.date, dt.date]]] = defaultdict(dict)
    zones: dict[tuple[str, int], str] = {}
    for line, values in table.rows:
        reason = table.incomplete(line)
        if reason:
            errors.append(_("Ligne %(line)s : %(reason)s") % {"line": line, "reason": reason})
            continue
        year = values["annee"]
        if not re.fullmatch(r"\d{4}-\d{4}", year) or int(year[5:]) != int(year[:4]) + 1:
            errors.append(
                _("Ligne %(line)s : année scolaire « %(year)s » illisible (ex. 2026-2027).")
                % {"line": line, "year": year}
            )
            continue
        zone = ZONES.get(values["zones"].strip().lower())
        population = values.get("population", "").strip().lower()
        if zone is None or population in IGNORED_POPULATIONS or year not in known:
            result.ignored += 1
            continue
        try:
            start, end = parse_day(values["debut"]), parse_day(values["fin"] or values["debut"])
        except ValueError:
            errors.append(
                _("Ligne %(line)s : date illisible (« %(start)s », « %(end)s »).")
                % {"line": line, "start": values["debut"], "end": values["fin"]}
            )
            continue
        _name, year_start, year_end = school_year_bounds(dt.date(int(year[:4]), 9, 1))
        if not (year_start - dt.timedelta(days=7) <= start <= year_end) or end <= start:
            errors.append(
                _(
                    "Ligne %(line)s : la période du %(start)s au %(end)s n'est pas dans "
                    "l'année scolaire %(year)s ou finit avant de commencer."
                )
                % {
                    "line": line,
                    "start": start.strftime("%d/%m/%Y"),
                    "end": end.strftime("%d/%m/%Y"),
                    "year": year,
                }
            )
            continue
        matched = academies.get(values["academie"].strip().lower(), [])
        if not matched:
            result.ignored += 1
            continue
        name = period_name(values["description"])
        seen = periods[(year, name)].get(zone)
        if seen is not None and seen != (start, end):
            errors.append(
                _(
                    "Ligne %(line)s : « %(name)s » n'a pas les mêmes dates dans toute "
                    "la zone %(zone)s."
                )
                % {"line": line, "name": name, "zone": zone}
            )
            continue
        periods[(year, name)][zone] = (start, end)
        for academy in matched:
            zones[(year, academy.pk)] = zone
    if errors:
        shown = errors[:MAX_ERRORS]
        more = len(errors) - len(shown)
        raise FileRefused(
            _("Calendrier refusé, rien n'est importé. ")
            + " ".join(shown)
            + (_(" … et %(n)s autres erreurs.") % {"n": more} if more else "")
        )
    by_year: dict[str, list[HolidayPeriod]] = defaultdict(list)
    for (year, name), dates in periods.items():
        if len(dates) == len(Zone) and len(set(dates.values())) == 1:
            dates = {"": next(iter(dates.values()))}
        for zone, (start, end) in dates.items():
            by_year[year].append(
                HolidayPeriod(name=name, zone=zone, classes_end=start, classes_resume=end)
            )
    with transaction.atomic():
        for year_name in sorted({y for y, _n in periods} | {y for y, _a in zones}):
            year = ensure_school_year(dt.date(int(year_name[:4]), 9, 1))
            HolidayPeriod.objects.filter(school_year=year).delete()
            for period in by_year[year_name]:
                period.school_year = year
            HolidayPeriod.objects.bulk_create(by_year[year_name])
            for (zone_year, academy_pk), zone in zones.items():
                if zone_year == year_name:
                    AcademyZone.objects.update_or_create(
                        academy_id=academy_pk, school_year=year, defaults={"zone": zone}
                    )
                    result.zones += 1
            result.periods += len(by_year[year_name])
            result.years.append(year_name)
    return result
