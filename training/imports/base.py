"""What every import shares: the plan (what a file would create, update, leave alone and
refuse, line by line) and the importer's two steps, ``plan`` (reads, writes nothing)
and ``apply`` (writes the valid lines, in the caller's transaction)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from training import trail
from training.imports.reader import Column, Table, read_table

Progress = Callable[[int, int], None]

# Rows read, written or looked up per query: small enough for SQLite's variable limit
# and for memory, large enough that 100 000 lines take ~50 round trips per step.
CHUNK = 2000


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(model, rows: list[dict]) -> None:
    """Insert ``rows`` (attribute name → value; other columns get their defaults).

    On PostgreSQL through ``COPY``: for 100 000 people, ``bulk_create`` spends ~25 s
    building model instances and array parameters, ``COPY`` ~2 s for the same rows, in
    the same transaction. Elsewhere (SQLite), ``bulk_create`` in chunks.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        for batch in chunks(rows):
            model.objects.bulk_create([model(**row) for row in batch])
        return
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None
    columns = [f.attname for f in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_copy_value(row[c] if c in row else defaults[c]) for c in columns])


def _copy_value(value):
    """A JSON field's value (the trail's changes) as COPY reads it: its text."""
    return json.dumps(value) if isinstance(value, dict | list) else value


class LineRefused(Exception):
    """One line cannot be imported; the message says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Plan:
    """The outcome of a file, before (dry run) or after it is written."""

    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # A complete staff file: people of the académie it no longer lists.
    deactivated: int = 0
    refused: list[dict] = field(default_factory=list)  # {"line": n, "reason": "…"}
    # Importer-specific work to do, kept for ``apply``.
    work: dict = field(default_factory=dict)

    def refuse(self, line: int, reason: str) -> None:
        self.refused.append({"line": line, "reason": reason})

    @property
    def refused_count(self) -> int:
        return len(self.refused)

    def counts(self) -> dict[str, int]:
        return {
            "lines": self.lines,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused_count,
        }

    def sorted_refusals(self) -> list[dict]:
        return sorted(self.refused, key=lambda r: r["line"])


def duplicate_keys(table_rows, key: Callable[[dict], str]) -> dict[int, str]:
    """Lines whose key appears more than once in the file → the French reason.

    Every occurrence is refused: the file does not say which one is right."""
    seen: dict[str, list[int]] = {}
    for line, values in table_rows:
        k = key(values)
        if k:
            seen.setdefault(k, []).append(line)
    reasons = {}
    for k, lines in seen.items():
        if len(lines) > 1:
            for line in lines:
                others = ", ".join(str(n) for n in lines if n != line)
                reasons[line] = _(
                    "Identifiant « %(key)s » en double dans le fichier (aussi ligne %(others)s)."
                ) % {"key": k, "others": others}
    return reasons


class Importer:
    """One kind of file. Subclasses give ``columns`` and implement ``_plan``/``_apply``."""

    kind: str = ""
    label: str = ""
    columns: list[Column] = []

    def __init__(self, *, academy, user, complete: bool = False) -> None:
        self.academy = academy
        self.user = user
        # The file lists everyone (a full directory export): who is missing has left.
        self.complete = complete

    def read(self, data: bytes) -> Table:
        return read_table(data, self.columns)

    def plan(self, data: bytes, progress: Progress | None = None) -> Plan:
        """Read and check every line; write nothing. ``FileRefused`` for a bad file."""
        table = self.read(data)
        plan = Plan(lines=len(table) + len(table.refused))
        for line, reason in table.refused.items():
            plan.refuse(line, reason)
        self._plan(table, plan, progress or (lambda done, total: None))
        return plan

    def apply(self, plan: Plan, progress: Progress | None = None) -> Plan:
        """Write the valid lines of ``plan``. Call inside a transaction."""
        self._apply(plan, progress or (lambda done, total: None))
        return plan

    def _trail(self, model, changes_by_pk: dict, action: int, reprs: dict) -> None:
        """The trail's entries of rows written in bulk, by the import's author."""
        changes_by_pk = {pk: changes for pk, changes in changes_by_pk.items() if changes}
        insert_rows(
            LogEntry,
            trail.entry_rows(model, changes_by_pk, action, actor=self.user, reprs=reprs),
        )

    def _plan(self, table: Table, plan: Plan, progress: Progress) -> None:
        raise NotImplementedError

    def _apply(self, plan: Plan, progress: Progress) -> None:
        raise NotImplementedError


def at_most(value: str, max_length: int, label) -> str:
    """``value`` stripped, or the line refused when it is longer than its column: a text
    is never cut silently."""
    value = (value or "").strip()
    if len(value) > max_length:
        raise LineRefused(
            _("%(label)s trop long (%(max)s caractères au plus).")
            % {"label": label, "max": max_length}
        )
    return value
