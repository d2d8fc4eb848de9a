"""One way to show a value: hours, durations, euros and moments, as pages, e-mails and
files write them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from training import formatting


@pytest.mark.parametrize(
    ("minutes", "value", "figure", "text"),
    [(90, 1.5, "1,5", "1,5 h"), (120, 2.0, "2,0", "2,0 h"), (0, 0.0, "0,0", "0,0 h"),
     (None, None, "", "—")],
)  # fmt: skip
def test_hours_in_three_shapes(minutes, value, figure, text):
    with translation.override("fr"):
        assert formatting.hours_value(minutes) == value
        assert formatting.hours_figure(minutes) == figure
        assert formatting.hours(minutes) == text


def test_hours_follow_the_readers_language():
    with translation.override("en"):
        assert formatting.hours_figure(90) == "1.5"


@pytest.mark.parametrize(
    ("minutes", "text"), [(45, "45 min"), (120, "2 h"), (90, "1 h 30"), (65, "1 h 05")]
)
def test_durations_as_a_person_reads_the_time_spent(minutes, text):
    assert formatting.duration(minutes) == text


def test_euros_always_the_french_way():
    with translation.override("en"):
        assert formatting.euros(120050) == "1 200,50 €"
        assert formatting.euros_figure(120050) == "1200,50"
        assert formatting.euros_figure(-5000) == "-50,00"
        assert formatting.euros_value(120050) == 1200.5
        assert formatting.euros_value(None) is None


def test_numbers_are_grouped_as_the_reader_writes_them():
    with translation.override("fr"):
        assert formatting.number(3810).replace("\xa0", " ") == "3 810"
        assert formatting.number(63.54) == "63,5"
        assert formatting.number(None) == "—"
        assert formatting.number(float("nan")) == "—"


def test_a_moment_is_shown_in_paris_time():
    moment = dt.datetime(2011, 3, 14, 8, 0, tzinfo=ZoneInfo("UTC"))
    assert formatting.moment(moment) == "14/03/2011 09:00"
    assert formatting.moment(None) == "—"


def test_euros_on_a_page_are_grouped_by_thousands():
    from training.formatting import euros, euros_amount, euros_figure

    assert euros_amount(125_000) == "1 250,00"
    assert euros(1_234_567) == "12 345,67 €"
    assert euros_figure(125_000) == "1250,00"  # the files' figure, for spreadsheets
