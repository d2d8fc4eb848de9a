"""The ministry's school calendar (open-data CSV, as downloaded) into the holidays and
zones of a school year, and the holiday warning on that calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from training import services
from training.imports import FileRefused
from training.imports.calendar import SHIPPED, import_school_calendar, parse_day, period_name
from training.models import AcademyZone, HolidayPeriod, SchoolYear

D = dt.date
HEADER = "Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire\n"


@pytest.fixture
def year_2026(db):
    """2026-2027, the year of the calendar shipped in the repository."""
    result = import_school_calendar(SHIPPED.read_bytes(), years=["2026-2027"])
    assert result.years == ["2026-2027"]
    return SchoolYear.objects.get(name="2026-2027")


def periods(year, zone):
    return [
        (p.name, p.classes_end, p.classes_resume)
        for p in HolidayPeriod.objects.for_zone(year, zone).order_by("classes_end")
    ]


def test_the_shipped_calendar_gives_each_zone_its_holidays(year_2026):
    assert periods(year_2026, "C") == [
        ("Toussaint", D(2026, 10, 17), D(2026, 11, 2)),
        ("Noël", D(2026, 12, 19), D(2027, 1, 4)),
        ("Hiver", D(2027, 2, 6), D(2027, 2, 22)),
        ("Printemps", D(2027, 4, 3), D(2027, 4, 19)),
        ("Pont de l'Ascension", D(2027, 5, 5), D(2027, 5, 10)),
        ("Été", D(2027, 7, 3), D(2027, 9, 1)),
    ]
    assert ("Hiver", D(2027, 2, 13), D(2027, 3, 1)) in periods(year_2026, "A")
    # Common periods are stored once, for every zone.
    assert HolidayPeriod.objects.get(school_year=year_2026, name="Noël").zone == ""
    assert HolidayPeriod.objects.filter(school_year=year_2026, name="Hiver").count() == 3


def test_the_zone_of_each_academie_follows_the_year(year_2026):
    zones = dict(
        AcademyZone.objects.filter(school_year=year_2026).values_list("academy__name", "zone")
    )
    assert (zones["Versailles"], zones["Bordeaux"], zones["Toulouse"]) == ("C", "A", "C")
    # Normandie (2020) is Caen and Rouen, both zone B; Corse keeps its own calendar.
    assert (zones["Caen"], zones["Rouen"]) == ("B", "B")
    assert "Corse" not in zones
    # The 2010-2011 map is untouched (Bordeaux was in zone C then).
    assert (
        AcademyZone.objects.get(school_year__name="2010-2011", academy__name="Bordeaux").zone == "C"
    )


def test_importing_the_same_file_again_changes_nothing(year_2026):
    def rows():
        return sorted(
            HolidayPeriod.objects.filter(school_year=year_2026).values_list(
                "name", "zone", "classes_end", "classes_resume"
            )
        )

    before = rows()
    result = import_school_calendar(SHIPPED.read_bytes())
    # 4 periods common to every zone, winter and spring in each of the three zones.
    assert (result.years, result.periods, result.ignored) == (["2026-2027"], 10, 2)
    assert rows() == before and len(before) == 10


def test_years_unknown_to_dune_are_ignored_unless_asked(db):
    data = (
        HEADER + "Vacances de Noël;-;2030-12-21;2031-01-06;Versailles;Zone C;2030-2031\n"
    ).encode()
    result = import_school_calendar(data)
    assert (result.years, result.ignored) == ([], 1)
    assert not SchoolYear.objects.filter(name="2030-2031").exists()
    result = import_school_calendar(data, years=["2030-2031"])
    assert result.years == ["2030-2031"]
    # A period of one zone only is stored for that zone.
    assert HolidayPeriod.objects.get(school_year__name="2030-2031").zone == "C"


def test_a_line_that_cannot_be_read_refuses_the_file(year_2026):
    before = HolidayPeriod.objects.count()
    data = (
        HEADER
        + "Vacances de Noël;-;2026-12-19;2027-01-04;Versailles;Zone C;2026-2027\n"
        + "Vacances d'Hiver;-;le 6 février;2027-02-22;Versailles;Zone C;2026-2027\n"
        + "Vacances de Printemps;-;2027-04-19;2027-04-03;Versailles;Zone C;2026-2027\n"
        + "Vacances de la Toussaint;-;1900-10-17;1900-11-02;Versailles;Zone C;2026-2027\n"
    ).encode()
    with pytest.raises(FileRefused) as refused:
        import_school_calendar(data)
    message = refused.value.message
    assert "rien n'est importé" in message
    assert "Ligne 3 : date illisible (« le 6 février », « 2027-02-22 »)." in message
    assert "Ligne 4 : la période du 19/04/2027 au 03/04/2027" in message
    assert "Ligne 5 : la période du 17/10/1900" in message
    assert HolidayPeriod.objects.count() == before


def test_a_file_without_the_columns_is_refused_naming_them(db):
    with pytest.raises(FileRefused, match="Colonnes manquantes : zones, annee"):
        import_school_calendar(b"Description;Date de debut;Date de fin;Academies\nx;1;2;3\n")


def test_pupils_only_lines_are_ignored(year_2026):
    data = (
        HEADER
        + "Vacances de Noël;-;2026-12-19;2027-01-04;Versailles;Zone C;2026-2027\n"
        + "Vacances de Noël;Élèves;2026-12-18;2027-01-05;Versailles;Zone C;2026-2027\n"
    ).encode()
    result = import_school_calendar(data)
    assert result.ignored == 1
    assert periods(year_2026, "C") == [("Noël", D(2026, 12, 19), D(2027, 1, 4))]


@pytest.mark.parametrize(
    "value, day",
    [
        ("2026-10-17", D(2026, 10, 17)),
        ("2026-10-16T22:00:00+00:00", D(2026, 10, 17)),  # midnight in Paris, in UTC
        ("2026-10-17T00:00:00+02:00", D(2026, 10, 17)),
        ("17/10/2026", D(2026, 10, 17)),
    ],
)
def test_dates_as_the_portal_writes_them(value, day):
    assert parse_day(value) == day


@pytest.mark.parametrize(
    "description, name",
    [
        ("Vacances de la Toussaint", "Toussaint"),
        ("Vacances d'Hiver", "Hiver"),
        ("Début des Vacances d'Été", "Été"),
        ("Pont de l'Ascension", "Pont de l'Ascension"),
    ],
)
def test_period_names(description, name):
    assert period_name(description) == name


def test_the_command_imports_and_reports(year_2026, capsys, tmp_path):
    call_command("import_calendrier_scolaire", str(SHIPPED))
    assert "10 périodes de vacances, zone de 25 académies" in capsys.readouterr().out
    bad = tmp_path / "calendrier.csv"
    bad.write_text("rien\n")
    with pytest.raises(CommandError, match="Colonnes manquantes"):
        call_command("import_calendrier_scolaire", str(bad))


def test_the_holiday_warning_works_on_the_imported_calendar(
    year_2026, manager, make_session, module
):
    """A module of 2026-2027 (Versailles, zone C): winter holidays of zone C warn."""
    from training.models import Module, Programme

    programme = module.programme
    if programme.school_year != year_2026:
        programme = Programme.objects.create(
            academy=programme.academy,
            school_year=year_2026,
            code="26A0250001",
            title=programme.title,
            priority=year_2026.plans.get().priorities.get(code="numerique"),
            degree=2,
        )
        module = Module.objects.create(programme=programme, code="M1", title="ENT")
    session = make_session(module=module, slots=False)
    paris = dt.timezone(dt.timedelta(hours=1))
    start = dt.datetime(2027, 2, 10, 9, tzinfo=paris)
    result = services.add_slot(
        user=manager,
        session=session,
        modality="in_person",
        start=start,
        end=start + dt.timedelta(hours=3),
        school=None,
    )
    assert result.warnings == [
        "Attention : cette séance tombe pendant les vacances (Hiver, zone C)."
    ]
    start = dt.datetime(2027, 2, 24, 9, tzinfo=paris)
    result = services.add_slot(
        user=manager,
        session=session,
        modality="in_person",
        start=start,
        end=start + dt.timedelta(hours=3),
    )
    assert result.warnings == []
