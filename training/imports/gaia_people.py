"""GAIA's lists of people (mapping in ``training.imports.gaia``): the intervenants of a
module become its sessions' trainers, the stagiaires bookings of *public désigné*
sessions. Like the formations, with or without their column line (``GaiaImporter``)."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from training.errors import TrainingError
from training.imports.base import LineRefused, Plan
from training.imports.gaia import GaiaImporter
from training.imports.reader import Column
from training.models import (
    Enrolment,
    Module,
    Programme,
    RoleMembership,
    Session,
    Staff,
)


def _person(values: dict) -> tuple[str, str, str]:
    last = values.get("nom", "").strip()
    first = values.get("prenom", "").strip()
    email = values.get("email", "").strip().lower()
    if not last or not first:
        raise LineRefused(_("Nom ou prénom manquant."))
    return last, first, email


class TrainersImporter(GaiaImporter):
    kind = "gaia_trainers"
    # FACTS.md's order: the order of a file without its column line.
    columns = [
        Column("table", (), required=False),
        Column("module_id", ("module", "id module")),
        Column("nom", ("last name",)),
        Column("prenom", ("first name", "prénom")),
        Column("email", ("courriel", "mel", "mail"), required=False),
    ]

    def _modules(self, codes) -> dict[str, Module]:
        found = {}
        for module in Module.objects.filter(
            programme__academy=self.academy, code__in=list(codes)
        ).order_by("programme__school_year__start", "pk"):
            found[module.code] = module  # the latest school year's wins
        return found

    def _plan(self, table, plan: Plan, progress) -> None:
        from django.contrib.auth import get_user_model

        modules = self._modules({v.get("module_id", "").strip() for _l, v in table.rows})
        emails = {v.get("email", "").strip().lower() for _l, v in table.rows} - {""}
        User = get_user_model()
        academy_users = {
            u.email_lower: u
            for u in User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .filter(
                Q(staff__school__academy=self.academy)
                | Q(
                    memberships__academy=self.academy,
                    memberships__role=RoleMembership.Role.TRAINER,
                )
            )
            .distinct()
        }
        seen: dict[tuple, int] = {}
        rows = []
        for line, values in table.rows:
            try:
                module_id = values.get("module_id", "").strip()
                last, first, email = _person(values)
                module = modules.get(module_id)
                if module is None:
                    raise LineRefused(
                        _(
                            "Module GAIA inconnu dans l'académie : %(id)s (importez d'abord les "
                            "formations)."
                        )
                        % {"id": module_id}
                    )
                key = (module_id, email or f"{first} {last}".lower())
                if key in seen:
                    raise LineRefused(
                        _("Intervenant en double dans le fichier (aussi ligne %(line)s).")
                        % {"line": seen[key]}
                    )
                seen[key] = line
            except LineRefused as exc:
                plan.refuse(line, exc.message)
                continue
            user = academy_users.get(email) if email else None
            name = f"{first} {last}"
            sessions = list(module.sessions.exclude(status=Session.Status.CANCELLED))
            if user is not None:
                new = any(not s.trainers.filter(pk=user.pk).exists() for s in sessions)
            else:
                new = any(name not in s.external_trainers for s in sessions)
            if new:
                plan.created += 1
            else:
                plan.unchanged += 1
            rows.append({"line": line, "module": module, "user": user, "name": name})
        plan.work = {"rows": rows}

    def _apply(self, plan: Plan, progress) -> None:
        from training import services

        rows = plan.work["rows"]
        for index, row in enumerate(rows):
            progress(index, len(rows))
            try:
                for session in row["module"].sessions.exclude(status=Session.Status.CANCELLED):
                    if row["user"] is not None:
                        if not session.trainers.filter(pk=row["user"].pk).exists():
                            services.update_session(
                                user=self.user,
                                session=session,
                                trainers=[*session.trainers.all(), row["user"]],
                            )
                    elif row["name"] not in session.external_trainers:
                        names = ", ".join(n for n in (session.external_trainers, row["name"]) if n)
                        if len(names) > 300:
                            raise TrainingError(
                                _("Trop d'intervenants extérieurs pour la session %(s)s.")
                                % {"s": session}
                            )
                        services.update_session(
                            user=self.user, session=session, external_trainers=names
                        )
            except TrainingError as exc:
                plan.refuse(row["line"], exc.message)
                plan.created = max(0, plan.created - 1)


class TraineesImporter(GaiaImporter):
    kind = "gaia_trainees"
    # FACTS.md's order: the order of a file without its column line.
    columns = [
        Column("table", (), required=False),
        Column("session_id", ("session", "id session")),
        Column("nom", ("last name",)),
        Column("prenom", ("first name", "prénom")),
        Column("email", ("courriel", "mel", "mail")),
    ]

    def _plan(self, table, plan: Plan, progress) -> None:
        ids = {v.get("session_id", "").strip() for _l, v in table.rows}
        sessions = {
            s.gaia_id: s
            for s in Session.objects.filter(
                module__programme__academy=self.academy, gaia_id__in=ids
            ).select_related("module__programme")
        }
        emails = {v.get("email", "").strip().lower() for _l, v in table.rows} - {""}
        staff = {}
        if emails:
            for person in (
                Staff.objects.filter(school__academy=self.academy)
                .annotate(email_lower=Lower("user__email"))
                .filter(email_lower__in=emails)
                .select_related("user", "school")
            ):
                staff[person.user.email.lower()] = person
        enrolled = set(
            Enrolment.objects.active()
            .filter(session__in=sessions.values())
            .values_list("session_id", "staff_id")
        )
        seen: dict[tuple, int] = {}
        rows = []
        for line, values in table.rows:
            try:
                session_id = values.get("session_id", "").strip()
                _last, _first, email = _person(values)
                if not email:
                    raise LineRefused(_("Adresse électronique manquante."))
                session = sessions.get(session_id)
                if session is None:
                    raise LineRefused(
                        _("Session GAIA inconnue dans l'académie : %(id)s.") % {"id": session_id}
                    )
                if session.module.programme.kind != Programme.Kind.DESIGNATED:
                    raise LineRefused(
                        _(
                            "La session %(id)s relève d'une candidature individuelle : seules "
                            "les sessions à public désigné reçoivent des stagiaires importés."
                        )
                        % {"id": session_id}
                    )
                person = staff.get(email)
                if person is None:
                    raise LineRefused(
                        _("Aucun personnel de l'académie avec l'adresse %(email)s.")
                        % {"email": email}
                    )
                key = (session_id, email)
                if key in seen:
                    raise LineRefused(
                        _("Stagiaire en double dans le fichier (aussi ligne %(line)s).")
                        % {"line": seen[key]}
                    )
                seen[key] = line
            except LineRefused as exc:
                plan.refuse(line, exc.message)
                continue
            if (session.pk, person.pk) in enrolled:
                plan.unchanged += 1
            else:
                plan.created += 1
                rows.append({"line": line, "session": session, "staff": person})
        plan.work = {"rows": rows}

    def _apply(self, plan: Plan, progress) -> None:
        from training import services

        rows = plan.work["rows"]
        for index, row in enumerate(rows):
            progress(index, len(rows))
            try:
                services.book_staff(user=self.user, session=row["session"], staff=row["staff"])
            except TrainingError as exc:
                plan.refuse(row["line"], exc.message)
                plan.created -= 1
