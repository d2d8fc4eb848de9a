"""The national volume: every académie with its share of schools and staff (a
proportional table, not statistics), for the national dashboards and benchmarks.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password

from training.demo.directory import KIND_MIX, DemoDirectory, seed_directory

ACADEMY_WEIGHTS = {
    "01": 38, "02": 48, "03": 17, "04": 42, "05": 19, "06": 17, "07": 21, "08": 48,
    "09": 66, "10": 50, "11": 38, "12": 33, "13": 23, "14": 44, "15": 26, "16": 42,
    "17": 50, "18": 35, "19": 19, "20": 27, "21": 27, "22": 9, "23": 15, "24": 85,
    "25": 100, "27": 4, "28": 22, "31": 7, "32": 8, "33": 6,
}  # fmt: skip


NATIONAL_STAFF = 870_000


NATIONAL_SCHOOLS = 60_000


MIN_SCHOOLS = len(KIND_MIX)  # one of each kind


def _apportion(total: int, weights: dict[str, int], minimum: int) -> dict[str, int]:
    """``total`` split in proportion to ``weights`` (largest remainders), each at least
    ``minimum``."""
    whole = sum(weights.values())
    shares = {code: total * w / whole for code, w in weights.items()}
    counts = {code: max(minimum, int(share)) for code, share in shares.items()}
    left = total - sum(counts.values())
    for code in sorted(shares, key=lambda c: (int(shares[c]) - shares[c], c))[: max(0, left)]:
        counts[code] += 1
    return counts


def national_split(*, n_staff: int, n_schools: int) -> list[tuple[str, int, int]]:
    """(académie code, schools, staff) for all 30 académies, in proportion to their size."""
    schools = _apportion(n_schools, ACADEMY_WEIGHTS, MIN_SCHOOLS)
    staff = _apportion(n_staff, ACADEMY_WEIGHTS, MIN_SCHOOLS)
    return [
        (code, schools[code], max(staff[code], schools[code])) for code in sorted(ACADEMY_WEIGHTS)
    ]


def seed_national(
    *, n_staff: int = NATIONAL_STAFF, n_schools: int = NATIONAL_SCHOOLS, seed: int = 2010
) -> list[DemoDirectory]:
    """The 30 académies' directories (Versailles first: the demo's named accounts live
    there), one académie at a time so that memory stays that of the largest one."""
    password = make_password(settings.DUNE_DEMO_PASSWORD)
    split = sorted(national_split(n_staff=n_staff, n_schools=n_schools), key=lambda r: r[0] != "25")
    return [
        seed_directory(
            n_schools=schools, n_staff=staff, seed=seed, academy_code=code, password=password
        )
        for code, schools, staff in split
    ]
