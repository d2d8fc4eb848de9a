"""The trail of every change (django-auditlog): which models are followed, and the reads
of their entries for an object's page and for the académie's auditors.

Every create, update and delete made through the ORM's ``save()``/``delete()`` is
recorded with who (the signed-in person, none for a job), when, from which request or job
(``training.origin``) and the fields before and after. Writes in bulk (imports'
``bulk_create``/``bulk_update``, ``QuerySet.update``) send no signal: the import run itself
is their record (who, when, which file, the counts). Enrolments have their own trail,
``EnrolmentEvent`` (each change of state with its author and reason), written on the
booking path without a second row per change. Entries are never edited: the model
refuses it (``accounts``' and the admin's pages only read them).
"""

from __future__ import annotations

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.signals import pre_delete, pre_save

from training.models import (
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


def describe(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) of an entry, as the trail shows them."""
    changes = entry.changes_dict or {}
    return [(field, str(values[0]), str(values[1])) for field, values in changes.items()]


def followed_kinds() -> dict[str, tuple[str, ContentType]]:
    """The kinds of object the trail follows, for the search's filter."""
    return {
        model._meta.model_name: (
            str(model._meta.verbose_name),
            ContentType.objects.get_for_model(model),
        )
        for model in ACADEMY_OF
    }
