import datetime as dt

import pytest

from training.models import (
    Academy,
    AcademyZone,
    Domain,
    Framework,
    HolidayPeriod,
    HoursTarget,
    Item,
    Priority,
    SchoolYear,
)
from training.reference import load_reference_data

pytestmark = pytest.mark.django_db


def test_thirty_academies_with_their_codes():
    academies = dict(Academy.objects.values_list("code", "name"))
    assert len(academies) == 30
    assert academies["01"] == "Paris"
    assert academies["25"] == "Versailles"
    assert academies["33"] == "Guyane"
    assert "26" not in academies  # there is no académie 26


def test_c2i2e_has_seven_competences_and_28_items_with_their_codes():
    framework = Framework.objects.get(code="C2i2e-2011")
    domains = list(Domain.objects.filter(framework=framework).values_list("code", flat=True))
    assert domains == ["A.1", "A.2", "A.3", "B.1", "B.2", "B.3", "B.4"]
    items = Item.objects.filter(domain__framework=framework)
    assert items.count() == 28
    per_domain = {d.code: d.items.count() for d in framework.domains.all()}
    assert per_domain == {"A.1": 5, "A.2": 3, "A.3": 4, "B.1": 3, "B.2": 5, "B.3": 5, "B.4": 3}
    codes = list(items.values_list("code", flat=True))
    assert codes[0] == "A.1-1" and codes[-1] == "B.4-3"
    assert Item.objects.get(code="A.1-3").title.startswith(
        "Choisir et utiliser les ressources et services disponibles dans un espace numérique"
    )


def test_c2i2e_certification_rule_is_data():
    framework = Framework.objects.get(code="C2i2e-2011")
    assert framework.min_validated_items == 23
    assert framework.max_missing_per_domain == 2


def test_school_year_2010_2011_with_holidays_and_zones():
    year = SchoolYear.objects.get(name="2010-2011")
    assert (year.start, year.end, year.closed_at) == (
        dt.date(2010, 9, 1),
        dt.date(2011, 8, 31),
        None,
    )
    zones = dict(AcademyZone.objects.filter(school_year=year).values_list("academy__name", "zone"))
    assert len(zones) == 25
    assert (zones["Versailles"], zones["Lyon"], zones["Lille"]) == ("C", "A", "B")
    assert "Corse" not in zones
    winter_c = HolidayPeriod.objects.for_zone(year, "C").get(name="Hiver")
    assert (winter_c.classes_end, winter_c.classes_resume) == (
        dt.date(2011, 2, 12),
        dt.date(2011, 2, 28),
    )
    toussaint = HolidayPeriod.objects.for_zone(year, "A").get(name="Toussaint")
    assert toussaint.contains(dt.date(2010, 10, 25))
    assert not toussaint.contains(dt.date(2010, 11, 4))  # classes resume that morning


def test_national_plan_has_five_priorities_and_the_first_degree_target():
    year = SchoolYear.objects.get(name="2010-2011")
    priorities = Priority.objects.filter(plan__school_year=year)
    assert priorities.count() == 5
    assert priorities.filter(title="Développement des usages du numérique").exists()
    target = HoursTarget.objects.get(plan__school_year=year, degree=1)
    assert (target.target_minutes, target.min_training_minutes) == (18 * 60, 9 * 60)


def test_loading_twice_changes_nothing():
    def snapshot():
        return [
            list(model.objects.order_by("pk").values())
            for model in (
                Academy,
                SchoolYear,
                AcademyZone,
                HolidayPeriod,
                Priority,
                HoursTarget,
                Domain,
                Item,
            )
        ]

    before = snapshot()
    load_reference_data()
    assert snapshot() == before


def test_loading_again_keeps_what_was_edited_in_the_admin():
    national_2010 = Priority.objects.filter(plan__school_year__name="2010-2011")
    national_2010.filter(code="langue").update(title="Maîtrise de la langue (intitulé corrigé)")
    load_reference_data()
    assert national_2010.get(code="langue").title == "Maîtrise de la langue (intitulé corrigé)"
    assert national_2010.count() == 5


def test_a_new_school_year_copies_the_latest_national_plan():
    from training.models import TrainingPlan
    from training.reference import ensure_school_year

    year = ensure_school_year(dt.date(2031, 11, 2))
    assert (year.name, year.start, year.end) == (
        "2031-2032",
        dt.date(2031, 9, 1),
        dt.date(2032, 8, 31),
    )
    plan = TrainingPlan.objects.get(school_year=year)
    latest = TrainingPlan.objects.exclude(pk=plan.pk).order_by("-school_year__start").first()
    assert sorted(plan.priorities.values_list("code", "title")) == sorted(
        latest.priorities.values_list("code", "title")
    )
    assert list(plan.targets.values_list("degree", "target_minutes")) == list(
        latest.targets.values_list("degree", "target_minutes")
    )
    # Asked again (or for another day of the year): the same year, nothing added.
    assert ensure_school_year(dt.date(2032, 8, 31)) == year
    assert plan.priorities.count() == latest.priorities.count()
