"""The trail of every change (django-auditlog): which models are followed, and the reads
of their entries for an object's page and for the académie's auditors.

Every create, update and delete made through the ORM's ``save()``/``delete()`` is
recorded with who (the signed-in person, none for a job), when, from which request or job
(``training.origin``) and the fields before and after. Writes in bulk (imports'
``bulk_create``/``bulk_update``/``COPY``, ``QuerySet.update``) send no signal: they write
their entries themselves, in bulk too (``entry_rows``, ``record_bulk``), one per row
changed, marked ``{"bulk": true}``. Entries are never edited: the model refuses it
(``accounts``' and the admin's pages only read them).
"""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.signals import pre_delete, pre_save
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy

from training import origin
from training.models import (
    Enrolment,
    ItemEvidence,
    Module,
    Programme,
    RoleMembership,
    School,
    Session,
    Slot,
    Staff,
    TeachingSituation,
)

# Each followed model, and how its rows belong to an académie (the auditors' scope).
ACADEMY_OF = {
    Session: "module__programme__academy",
    Enrolment: "session__module__programme__academy",
    Slot: "session__module__programme__academy",
    Programme: "academy",
    Module: "programme__academy",
    RoleMembership: "role",  # of an académie, or of one of its schools
    School: "academy",
    Staff: "school__academy",
    # The evidence history: every validation, withdrawal and its reason.
    ItemEvidence: "staff__school__academy",
    TeachingSituation: "staff__school__academy",
}


def follow(model, academy_path: str | None) -> None:
    """Record the changes of ``model`` (other apps follow theirs from ``ready()``);
    ``academy_path`` leads from a row to its académie (None: national rows, which every
    auditor may read)."""
    ACADEMY_OF[model] = academy_path
    auditlog.register(model)


def register() -> None:
    for model in list(ACADEMY_OF):
        auditlog.register(model)
    pre_save.connect(_never_edited, sender=LogEntry, dispatch_uid="trail.never_edited")
    pre_delete.connect(_never_deleted, sender=LogEntry, dispatch_uid="trail.never_deleted")


def _never_edited(sender, instance, **kwargs):
    if instance.pk is not None:
        raise PermissionDenied("The trail is never edited.")


def _never_deleted(sender, instance, **kwargs):
    raise PermissionDenied("The trail is never deleted.")


CREATE, UPDATE, DELETE = LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE


def _text(value) -> str:
    return "None" if value is None else str(value)


def changes_of(before: dict | None, after: dict) -> dict[str, list[str]]:
    """auditlog's shape of changes, ``{field: [before, after]}``, for the fields that
    differ (every field for a creation, ``before`` None)."""
    before = before or {}
    return {
        field: [_text(before.get(field)), _text(value)]
        for field, value in after.items()
        if before.get(field) != value or not before
    }


def entry_rows(
    model, changes_by_pk: dict, action: int, *, actor, reprs: dict | None = None
) -> list[dict]:
    """The trail's rows (attribute → value) for writes made in bulk on ``model``:
    ``changes_by_pk`` maps each row's id to its ``changes_of``; ``actor`` is who writes
    (the import's author; None for a command or a job without one), the origin the
    request or job at work. For ``insert_rows`` or ``record_bulk``."""
    content_type = ContentType.objects.get_for_model(model)
    now, cid = timezone.now(), origin.current()
    name = str(model._meta.verbose_name)
    return [
        {
            "content_type_id": content_type.pk,
            "object_pk": str(pk),
            "object_id": pk,
            "object_repr": (reprs or {}).get(pk) or f"{name} {pk}",
            "action": action,
            "changes": changes,
            "changes_text": "",
            "actor_id": getattr(actor, "pk", None),
            "actor_email": getattr(actor, "email", None),
            "cid": cid,
            "timestamp": now,
            "additional_data": {"bulk": True},
        }
        for pk, changes in changes_by_pk.items()
    ]


def record_bulk(model, changes_by_pk: dict, action: int, **kwargs) -> None:
    """Write the entries of a bulk write (a few hundred rows at most; imports of
    thousands go through ``insert_rows``, COPY on PostgreSQL)."""
    LogEntry.objects.bulk_create(
        [LogEntry(**row) for row in entry_rows(model, changes_by_pk, action, **kwargs)],
        batch_size=1000,
    )


def entries_for(*objects) -> QuerySet[LogEntry]:
    """The entries of these objects, newest first."""
    ids_by_model: dict = {}
    for obj in objects:
        ids_by_model.setdefault(type(obj), []).append(obj.pk)
    q = Q(pk__in=[])
    for model, ids in ids_by_model.items():
        q |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    return (
        LogEntry.objects.filter(q)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def entries_of_academies(academy_ids) -> QuerySet[LogEntry]:
    """Every entry about an object of these académies (the auditors' search)."""
    q = Q(pk__in=[])
    for model, path in ACADEMY_OF.items():
        content_type = ContentType.objects.get_for_model(model)
        if path is None:  # national rows: every auditor reads them
            q |= Q(content_type=content_type)
            continue
        rows = model._default_manager.all()
        if path == "role":
            rows = rows.filter(
                Q(academy_id__in=academy_ids) | Q(school__academy_id__in=academy_ids)
            )
        else:
            rows = rows.filter(**{f"{path}_id__in": academy_ids})
        q |= Q(content_type=content_type, object_id__in=rows.values("pk"))
    return (
        LogEntry.objects.filter(q)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


# Bookkeeping columns that say nothing to a reader of the trail.
UNSHOWN = {"id", "created_at", "updated_at"}
ACTIONS = {CREATE: _lazy("Création"), UPDATE: _lazy("Modification"), DELETE: _lazy("Suppression")}


def action_label(entry: LogEntry) -> str:
    return str(ACTIONS.get(entry.action, entry.get_action_display()))


def describe(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) of an entry as a person reads them: the field's name in
    French, a choice's label rather than its code (« En présence », not ``in_person``),
    a moment in Paris time, « Oui »/« Non », « — » for nothing; the columns of
    bookkeeping and the reverse relations left out."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    rows = []
    for name, values in (entry.changes_dict or {}).items():
        field = _field(model, name)
        if name in UNSHOWN or (field is not None and not getattr(field, "concrete", True)):
            continue
        label = str(getattr(field, "verbose_name", name))
        rows.append(
            (label[:1].upper() + label[1:], _shown(field, values[0]), _shown(field, values[1]))
        )
    return rows


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # a field since removed: its name as recorded
        return None


def _shown(field, value) -> str:
    text = str(value)
    if text in ("None", ""):
        return "—"
    if text in ("True", "False"):
        return gettext("Oui") if text == "True" else gettext("Non")
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(text.replace(" ", "T", 1))
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")
    if isinstance(field, models.DateField):
        day = parse_date(text[:10])
        if day is not None:
            return day.strftime("%d/%m/%Y")
    for code, choice in getattr(field, "flatchoices", None) or ():
        if str(code) == text:
            return str(choice)
    return text


def followed_kinds() -> dict[str, tuple[str, ContentType]]:
    """The kinds of object the trail follows, for the search's filter."""
    return {
        model._meta.model_name: (
            str(model._meta.verbose_name),
            ContentType.objects.get_for_model(model),
        )
        for model in ACADEMY_OF
    }
