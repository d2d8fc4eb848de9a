"""The référents' tables (django-tables2): the payroll, on the page and in its CSV and XLSX
files (amounts as the bare figure « 100,00 », what payroll systems read)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy

from training.formatting import euros_figure


class PayrollTable(tables.Table):
    staff_id = tables.Column(
        verbose_name=gettext_lazy("Identifiant agent"), accessor="appointment__staff__staff_id"
    )
    name = tables.Column(verbose_name=gettext_lazy("Nom"), accessor="appointment__staff")
    uai = tables.Column(verbose_name=gettext_lazy("UAI"), accessor="appointment__school__uai")
    month = tables.Column(verbose_name=gettext_lazy("Mois"))
    amount = tables.Column(verbose_name=gettext_lazy("Montant (€)"), accessor="amount_cents")

    class Meta:
        orderable = False

    def render_name(self, value):
        return value.full_name

    def value_name(self, value):
        return value.full_name

    def render_month(self, value):
        return f"{value:%Y-%m}"

    def value_month(self, value):
        return f"{value:%Y-%m}"

    def render_amount(self, value):
        return euros_figure(value)

    def value_amount(self, value):
        return euros_figure(value)
