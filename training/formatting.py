"""How Dune shows a value, the same on pages, in e-mails, in exports and in documents.

Storage is integer minutes and integer cents (CONVENTIONS.md); these functions are the
only place where they become text. Three shapes, named by their suffix:

- ``hours(90)`` → « 1,5 h », ``euros(120000)`` → « 1 200,00 € »: with the unit, for a
  sentence or a page;
- ``hours_figure(90)`` → « 1,5 », ``euros_figure(120000)`` → « 1200,00 »: the bare figure
  for a table cell, a CSV cell or a form's initial value (no grouping, so that it reads
  back as typed);
- ``hours_value(90)`` → ``1.5``, ``euros_value(120000)`` → ``1200.0``: numbers for data
  frames, JSON and XLSX cells, which the reader's software formats itself.

Figures follow the active language (« 1,5 » in French, "1.5" in English), except the
euro amounts, which are always written the French way: they are French public money,
and the rectorate's payroll and audit files are read as such.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext

from training.models import Modality

EMPTY = "—"


def number(value, decimals: int = 1) -> str:
    """A figure as the reader's language writes it, grouped: « 3 810 », « 63,5 »;
    floats get ``decimals`` decimals, ``None`` and NaN a dash."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return EMPTY
        return formats.number_format(value, decimals, force_grouping=True)
    if isinstance(value, numbers.Integral):
        return formats.number_format(int(value), force_grouping=True)
    return str(value)


# --- Hours and durations (stored as integer minutes) -----------------------------------


def hours_value(minutes: int | None) -> float | None:
    """Minutes as hours with one decimal, a number: 90 → 1.5."""
    if minutes is None:
        return None
    return round(minutes / 60, 1)


def hours_figure(minutes: int | None) -> str:
    """Minutes as hours with one decimal, the bare figure: 90 → « 1,5 »."""
    if minutes is None:
        return ""
    return formats.number_format(minutes / 60, 1)


def hours(minutes: int | None) -> str:
    """Minutes as hours with one decimal and the unit: 90 → « 1,5 h »."""
    if minutes is None:
        return EMPTY
    return gettext("%(hours)s h") % {"hours": hours_figure(minutes)}


def duration(minutes: int) -> str:
    """Minutes as a person reads the time he spent: « 45 min », « 2 h », « 1 h 30 »."""
    h, m = divmod(int(minutes), 60)
    if not h:
        return f"{m} min"
    return f"{h} h {m:02d}" if m else f"{h} h"


# --- Money (stored as integer cents) ---------------------------------------------------


def euros_value(cents: int | None) -> float | None:
    """Cents as euros, a number: 120050 → 1200.5."""
    return None if cents is None else round(cents / 100, 2)


def euros_figure(cents: int) -> str:
    """Cents as euros, the bare figure with two decimals and no grouping: « 1200,50 »."""
    return f"{Decimal(cents) / 100:.2f}".replace(".", ",")


def euros(cents: int) -> str:
    """Cents as euros with the unit, grouped by thousands: « 1 200,50 € »."""
    return f"{euros_amount(cents)} €"


def euros_amount(cents: int) -> str:
    """Cents as euros for a page's column headed « (€) », grouped: « 1 200,50 »."""
    return f"{Decimal(cents) / 100:,.2f}".replace(",", " ").replace(".", ",")


# --- Moments ---------------------------------------------------------------------------


def moment(value: dt.datetime | None, fmt: str = "d/m/Y H:i") -> str:
    """An aware moment in the local time zone (Europe/Paris), in Django's date format
    ``fmt`` (« 14/03/2011 09:00 » by default)."""
    if value is None:
        return EMPTY
    return formats.date_format(timezone.localtime(value), fmt)


# --- Slots, as messages name them -------------------------------------------------------


def describe_slot(slot) -> str:
    """« Module — groupe 01 » le 30/12/2026 de 09:00 à 12:00: how messages name a slot."""
    start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
    if start.date() == end.date():
        when = gettext("le %(day)s de %(start)s à %(end)s") % {
            "day": start.strftime("%d/%m/%Y"),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
        }
    else:
        when = gettext("du %(start)s au %(end)s") % {
            "start": start.strftime("%d/%m/%Y %H:%M"),
            "end": end.strftime("%d/%m/%Y %H:%M"),
        }
    title = f"{slot.session}" + (f" ({slot.title})" if slot.title else "")
    return f"« {title} » {when}"


def describe_place(slot) -> str:
    """Where a slot takes place, in a message: the school and room, the virtual
    classroom's link, or online work."""
    if slot.modality == Modality.VIRTUAL:
        return gettext("classe virtuelle (%(url)s)") % {"url": slot.video_url}
    if slot.modality == Modality.SELF_PACED:
        return gettext("travail en ligne")
    place = slot.school.name if slot.school else gettext("lieu à préciser")
    return f"{place}, {gettext('salle')} {slot.room}" if slot.room else place
