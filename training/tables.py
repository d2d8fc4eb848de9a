import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from training.models import School


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
