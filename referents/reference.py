"""The allowance regimes of FACTS.md, shipped as data (editable in the admin).

Loaded after every ``migrate`` (post_migrate signal), creating what is missing only.
"""

import datetime as dt

SCHEMES = [
    {
        "code": "fic2010-12",
        "name": "Décret 2010-1065 — 400 € à 2 400 € par an, 12 mensualités de septembre à août",
        "regime": "fic2010",
        "min_cents": 40_000,
        "max_cents": 240_000,
        "rates_cents": [],
        "instalments": 12,
        "first_month": 9,
        "in_force_from": dt.date(2010, 9, 1),
        "in_force_until": dt.date(2015, 8, 31),
    },
    {
        "code": "imp2015-9",
        "name": "IMP (décret 2015-475) — taux de 312,50 € à 3 750 €, "
        "9 mensualités d'octobre à juin",
        "regime": "imp2015",
        "min_cents": None,
        "max_cents": None,
        "rates_cents": [31_250, 62_500, 125_000, 250_000, 375_000],
        "instalments": 9,
        "first_month": 10,
        "in_force_from": dt.date(2015, 9, 1),
        "in_force_until": None,
    },
]


def load_schemes(**kwargs) -> None:
    from referents.models import AllowanceScheme

    for data in SCHEMES:
        AllowanceScheme.objects.get_or_create(code=data["code"], defaults=data)
