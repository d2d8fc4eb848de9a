"""Schools and staff from the académie's own directory (CSV).

Schools: ``uai;nom;type;degre;bassin;commune`` — keyed by UAI, imported into the
académie of the person importing. ``type`` is a kind's code or label (« Collège »,
« LEGT », « École élémentaire »…); ``degre`` (optional) must agree with it; ``bassin``
(or ``circonscription``) names a district of the académie, created when new (a
circonscription for a 1er degré school, a bassin otherwise).

Staff: ``identifiant;nom;prenom;email;uai;discipline;degre;role`` — keyed by the opaque
staff id (never the NUMEN). A new person gets an account whose user name is the staff
id in lower case and whose password is unusable (they sign in once one is set, or
through the académie's single sign-on). ``role``: empty or « enseignant » → teacher;
« documentaliste », « CPE »; « chef d'établissement » / « directeur » → also head of
that school (a role membership). A role is added, never removed, by an import. The
school must be of the importer's académie.
"""

from __future__ import annotations

import functools
import re
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training import trail
from training.imports.base import (
    CHUNK,
    Importer,
    LineRefused,
    Plan,
    at_most,
    chunks,
    duplicate_keys,
    insert_rows,
)
from training.imports.reader import Column, normalize_header
from training.models import (
    Degree,
    District,
    RoleMembership,
    School,
    SchoolKind,
    Staff,
    degree_of_kind,
)
from training.validators import normalize_uai, validate_uai


def check_uai(value: str) -> str:
    uai = normalize_uai(value)
    if not uai:
        raise LineRefused(_("UAI manquant."))
    try:
        validate_uai(uai)
    except ValidationError as exc:
        raise LineRefused(exc.messages[0]) from None
    return uai


def parse_degree(value: str) -> int | None:
    key = normalize_header(value)
    if not key:
        return None
    if key in {"1", "1er", "1erdegre", "premier", "premierdegre", "d1"}:
        return Degree.FIRST
    if key in {"2", "2nd", "2nddegre", "2d", "second", "seconddegre", "d2"}:
        return Degree.SECOND
    raise LineRefused(_("Degré « %(value)s » inconnu : 1 ou 2.") % {"value": value})


KIND_ALIASES = {
    SchoolKind.ECOLE_MATERNELLE: ("ecolematernelle", "maternelle", "em"),
    SchoolKind.ECOLE_ELEMENTAIRE: ("ecoleelementaire", "elementaire", "ee"),
    SchoolKind.ECOLE_PRIMAIRE: ("ecoleprimaire", "primaire", "ep"),
    SchoolKind.COLLEGE: ("college", "clg"),
    SchoolKind.LEGT: ("legt", "lgt", "lycee", "lyceegeneral", "lyceegeneralettechnologique"),
    SchoolKind.LP: ("lp", "lyceeprofessionnel"),
    SchoolKind.LPO: ("lpo", "lyceepolyvalent"),
    SchoolKind.EREA: ("erea",),
}
KINDS = {alias: kind for kind, aliases in KIND_ALIASES.items() for alias in aliases} | {
    normalize_header(str(label)): kind for kind, label in SchoolKind.choices
}


def parse_kind(value: str) -> str:
    kind = KINDS.get(normalize_header(value))
    if kind is None:
        raise LineRefused(
            _(
                "Type d'établissement « %(value)s » inconnu (par exemple : Collège, LEGT, LP, "
                "École élémentaire)."
            )
            % {"value": value}
        )
    return str(kind)


# Lazy: translated only for a refused line, not 100 000 times for the good ones.
NAME, FIRST_NAME, IDENTIFIER = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Identifiant"),
)


def required(values: dict, name: str, label, max_length: int) -> str:
    value = at_most(values.get(name, ""), max_length, label)
    if not value:
        raise LineRefused(_("%(label)s manquant.") % {"label": label})
    return value


class SchoolImporter(Importer):
    kind = "schools"
    columns = [
        Column("uai", ("rne", "code uai", "numero uai", "identifiant")),
        Column("nom", ("name", "appellation", "denomination", "nom de l'établissement")),
        Column("type", ("kind", "nature", "type d'établissement")),
        Column("degre", ("degree", "degré"), required=False),
        Column(
            "bassin",
            ("circonscription", "bassin ou circonscription", "district", "bassin de formation"),
            required=False,
        ),
        Column("commune", ("city", "ville", "localite"), required=False),
    ]

    def _plan(self, table, plan: Plan, progress) -> None:
        dupes = duplicate_keys(table.rows, lambda v: normalize_uai(v.get("uai", "")))
        uais = {normalize_uai(v.get("uai", "")) for _line, v in table.rows}
        existing = {
            s.uai: s for s in School.objects.filter(uai__in=list(uais)).select_related("district")
        }
        creates, updates = [], []
        for index, (line, values) in enumerate(table.rows):
            try:
                if line in dupes:
                    raise LineRefused(dupes[line])
                row = self._row(values)
            except LineRefused as exc:
                plan.refuse(line, exc.message)
                continue
            school = existing.get(row["uai"])
            if school is None:
                creates.append(row)
            elif school.academy_id != self.academy.pk:
                plan.refuse(
                    line,
                    _("L'établissement %(uai)s appartient à une autre académie.")
                    % {"uai": row["uai"]},
                )
            elif self._differs(school, row):
                updates.append(row)
            else:
                plan.unchanged += 1
            if index % CHUNK == 0:
                progress(index, len(table.rows))
        plan.created, plan.updated = len(creates), len(updates)
        plan.work = {"create": creates, "update": updates}

    def _row(self, values: dict) -> dict:
        uai = check_uai(values.get("uai", ""))
        name = required(values, "nom", NAME, 200)
        kind = parse_kind(values.get("type", ""))
        degree = parse_degree(values.get("degre", ""))
        if degree is not None and degree != degree_of_kind(kind):
            raise LineRefused(
                _("Le degré %(degree)s ne correspond pas au type « %(kind)s ».")
                % {"degree": degree, "kind": values.get("type")}
            )
        district = at_most(values.get("bassin", ""), 100, _("Bassin"))
        city = at_most(values.get("commune", ""), 100, _("Commune"))
        return {"uai": uai, "name": name, "kind": kind, "district": district, "city": city}

    @staticmethod
    def _differs(school: School, row: dict) -> bool:
        return (
            school.name != row["name"]
            or school.kind != row["kind"]
            or school.city != row["city"]
            or (school.district.name if school.district else "") != row["district"]
        )

    def _district(self, cache: dict, kind: str, name: str) -> District | None:
        if not name:
            return None
        district_kind = (
            District.Kind.CIRCONSCRIPTION
            if degree_of_kind(kind) == Degree.FIRST
            else District.Kind.BASSIN
        )
        key = (district_kind, name)
        if key not in cache:
            cache[key], _created = District.objects.get_or_create(
                academy=self.academy, kind=district_kind, name=name
            )
        return cache[key]

    def _apply(self, plan: Plan, progress) -> None:
        districts: dict = {}
        creates, updates = plan.work["create"], plan.work["update"]
        total = len(creates) + len(updates)
        new = [
            School(
                uai=row["uai"],
                name=row["name"],
                kind=row["kind"],
                degree=degree_of_kind(row["kind"]),
                academy=self.academy,
                district=self._district(districts, row["kind"], row["district"]),
                city=row["city"],
            )
            for row in creates
        ]
        for done, batch in enumerate(chunks(new)):
            School.objects.bulk_create(batch)
            self._trail(
                School,
                {s.pk: trail.changes_of(None, _school_fields(s)) for s in batch},
                trail.CREATE,
                {s.pk: str(s) for s in batch},
            )
            progress(done * CHUNK, total)
        by_uai = {s.uai: s for s in School.objects.filter(uai__in=[r["uai"] for r in updates])}
        changed, changes = [], {}
        for row in updates:
            school = by_uai[row["uai"]]
            before = _school_fields(school)
            school.name, school.kind, school.city = row["name"], row["kind"], row["city"]
            school.degree = degree_of_kind(row["kind"])
            school.district = self._district(districts, row["kind"], row["district"])
            changed.append(school)
            changes[school.pk] = trail.changes_of(before, _school_fields(school))
        School.objects.bulk_update(
            changed, ["name", "kind", "degree", "city", "district"], batch_size=CHUNK
        )
        self._trail(School, changes, trail.UPDATE, {s.pk: str(s) for s in changed})
        progress(total, total)


def _school_fields(school: School) -> dict:
    return {
        "name": school.name,
        "kind": school.kind,
        "degree": school.degree,
        "city": school.city,
        "district": school.district_id,
    }


ROLES = {
    "": (Staff.Position.TEACHER, False),
    "enseignant": (Staff.Position.TEACHER, False),
    "enseignante": (Staff.Position.TEACHER, False),
    "professeur": (Staff.Position.TEACHER, False),
    "teacher": (Staff.Position.TEACHER, False),
    "documentaliste": (Staff.Position.LIBRARIAN, False),
    "professeurdocumentaliste": (Staff.Position.LIBRARIAN, False),
    "librarian": (Staff.Position.LIBRARIAN, False),
    "cpe": (Staff.Position.CPE, False),
    "autre": (Staff.Position.OTHER, False),
    "head": (Staff.Position.OTHER, True),
    "chef": (Staff.Position.OTHER, True),
    "chefdetablissement": (Staff.Position.OTHER, True),
    "principal": (Staff.Position.OTHER, True),
    "proviseur": (Staff.Position.OTHER, True),
    "directeur": (Staff.Position.OTHER, True),
    "directrice": (Staff.Position.OTHER, True),
    "directeurdecole": (Staff.Position.OTHER, True),
}


@functools.lru_cache(maxsize=256)
def _role_key(value: str) -> str:
    return normalize_header(value)


STAFF_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
USER_FIELDS = ("first_name", "last_name", "email")
STAFF_FIELDS = ("school_id", "discipline", "degree", "position", "active")


def _staff_fields(row: dict) -> dict:
    """The trail's fields of a person (by their names: ``school``, not ``school_id``)."""
    return {name.removesuffix("_id"): row[name] for name in (*USER_FIELDS, *STAFF_FIELDS)}


def _staff_repr(row: dict) -> str:
    return f"{row['first_name']} {row['last_name']} ({row['staff_id']})"


def unusable_password() -> str:
    # What ``set_unusable_password`` stores ("!" then random), without its per-character
    # ``secrets.choice`` loop that costs seconds for 100 000 people.
    return "!" + secrets.token_urlsafe(30)


class StaffImporter(Importer):
    kind = "staff"
    columns = [
        Column("identifiant", ("staff id", "staff_id", "id", "identifiant agent", "matricule")),
        Column("nom", ("last name", "last_name", "nom d'usage", "nom de famille")),
        Column("prenom", ("first name", "first_name", "prénom")),
        Column("email", ("courriel", "mel", "mail", "adresse electronique"), required=False),
        Column("uai", ("rne", "etablissement", "établissement", "code uai")),
        Column("discipline", ("matiere",), required=False),
        Column("degre", ("degree", "degré"), required=False),
        Column("role", ("rôle", "fonction", "position"), required=False),
    ]

    def _plan(self, table, plan: Plan, progress) -> None:
        rows = table.rows
        dupes = duplicate_keys(rows, lambda v: v.get("identifiant", "").strip())
        uais = list({normalize_uai(v.get("uai", "")) for _line, v in rows})
        schools = {
            uai: (pk, academy_id, degree)
            for pk, uai, academy_id, degree in School.objects.filter(uai__in=uais).values_list(
                "pk", "uai", "academy_id", "degree"
            )
        }
        keys = [v.get("identifiant", "").strip() for _line, v in rows]
        existing = {}
        for batch in chunks(keys):
            for record in Staff.objects.filter(staff_id__in=batch).values(
                "pk",
                "staff_id",
                "user_id",
                *STAFF_FIELDS,
                "school__academy_id",
                "user__first_name",
                "user__last_name",
                "user__email",
            ):
                existing[record["staff_id"]] = record
        heads = set(
            RoleMembership.objects.filter(
                role=RoleMembership.Role.HEAD, school__academy=self.academy
            ).values_list("user_id", "school_id")
        )
        creates, updates, head_of = [], [], []
        for index, (line, values) in enumerate(rows):
            if index % CHUNK == 0:
                progress(index, len(rows))
            try:
                if line in dupes:
                    raise LineRefused(dupes[line])
                row = self._row(values, schools)
            except LineRefused as exc:
                plan.refuse(line, exc.message)
                continue
            row["line"] = line
            record = existing.get(row["staff_id"])
            if record is None:
                creates.append(row)
                continue
            if record["school__academy_id"] != self.academy.pk:
                plan.refuse(
                    line,
                    _(
                        "La personne %(id)s est rattachée à un établissement d'une autre "
                        "académie : c'est à cette académie de la mettre à jour."
                    )
                    % {"id": row["staff_id"]},
                )
                continue
            row["pk"], row["user_id"] = record["pk"], record["user_id"]
            row["was"] = {
                **{name: record[f"user__{name}"] for name in USER_FIELDS},
                **{name: record[name] for name in STAFF_FIELDS},
            }
            row["back"] = not record["active"]  # listed again: reactivated
            new_head = row["head"] and (record["user_id"], row["school_id"]) not in heads
            if new_head:
                head_of.append(row)
            if self._differs(record, row) or new_head:
                updates.append(row)
            else:
                plan.unchanged += 1
        usernames = [row["username"] for row in creates]
        taken = set()
        User = get_user_model()
        for batch in chunks(usernames):
            taken.update(User.objects.filter(username__in=batch).values_list("username", flat=True))
        if taken:
            kept = []
            for row in creates:
                if row["username"] in taken:
                    plan.refuse(
                        row["line"],
                        _("Le compte « %(username)s » existe déjà sans être ce personnel.")
                        % {"username": row["username"]},
                    )
                else:
                    kept.append(row)
            creates = kept
        plan.created, plan.updated = len(creates), len(updates)
        leaving = []
        if self.complete:
            # Deactivated, never deleted: their hours, attendance and allowances stay.
            listed = set(keys)
            leaving = [
                user_id
                for staff_id, user_id in Staff.objects.filter(
                    school__academy=self.academy, active=True
                ).values_list("staff_id", "user_id")
                if staff_id not in listed
            ]
        plan.deactivated = len(leaving)
        plan.work = {"create": creates, "update": updates, "head_of": head_of, "leave": leaving}

    def _row(self, values: dict, schools: dict) -> dict:
        staff_id = required(values, "identifiant", IDENTIFIER, 32)
        if not STAFF_ID_RE.match(staff_id):
            raise LineRefused(
                _("Identifiant « %(id)s » invalide : lettres, chiffres, point, tiret ou souligné.")
                % {"id": staff_id}
            )
        last_name = required(values, "nom", NAME, 150)
        first_name = required(values, "prenom", FIRST_NAME, 150)
        email = values.get("email", "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise LineRefused(
                    _("Adresse électronique « %(email)s » invalide.") % {"email": email}
                ) from None
        uai = check_uai(values.get("uai", ""))
        if uai not in schools:
            raise LineRefused(_("Établissement inconnu : UAI %(uai)s.") % {"uai": uai})
        school_id, academy_id, school_degree = schools[uai]
        if academy_id != self.academy.pk:
            raise LineRefused(
                _("L'établissement %(uai)s n'est pas dans l'académie de %(academy)s.")
                % {"uai": uai, "academy": self.academy.name}
            )
        degree = parse_degree(values.get("degre", ""))
        if degree is not None and degree != school_degree:
            raise LineRefused(
                _("Le degré %(degree)s ne correspond pas à l'établissement %(uai)s.")
                % {"degree": degree, "uai": uai}
            )
        role = ROLES.get(_role_key(values.get("role", "")))
        if role is None:
            raise LineRefused(
                _(
                    "Rôle « %(role)s » inconnu : enseignant, documentaliste, CPE ou "
                    "chef d'établissement."
                )
                % {"role": values.get("role")}
            )
        discipline = at_most(values.get("discipline", ""), 100, _("Discipline"))
        return {
            "staff_id": staff_id,
            "username": staff_id.lower(),
            "last_name": last_name,
            "first_name": first_name,
            "email": email,
            "school_id": school_id,
            "discipline": discipline,
            "degree": school_degree,
            "position": str(role[0]),
            "active": True,
            "head": role[1],
        }

    @staticmethod
    def _differs(record: dict, row: dict) -> bool:
        return any(record[f"user__{name}"] != row[name] for name in USER_FIELDS) or any(
            record[name] != row[name] for name in STAFF_FIELDS
        )

    def _apply(self, plan: Plan, progress) -> None:
        User = get_user_model()
        creates, updates = plan.work["create"], plan.work["update"]
        total, done = len(creates) + len(updates), 0
        head_rows = list(plan.work["head_of"])
        for batch in chunks(creates, 20 * CHUNK):
            insert_rows(
                User,
                [
                    {
                        "username": row["username"],
                        "first_name": row["first_name"],
                        "last_name": row["last_name"],
                        "email": row["email"],
                        "password": unusable_password(),
                    }
                    for row in batch
                ],
            )
            ids = {}
            for names in chunks([row["username"] for row in batch]):
                ids.update(User.objects.filter(username__in=names).values_list("username", "pk"))
            for row in batch:
                row["user_id"] = ids[row["username"]]
            insert_rows(
                Staff,
                [
                    {
                        "user_id": row["user_id"],
                        "staff_id": row["staff_id"],
                        "school_id": row["school_id"],
                        "discipline": row["discipline"],
                        "degree": row["degree"],
                        "position": row["position"],
                    }
                    for row in batch
                ],
            )
            head_rows.extend(row for row in batch if row["head"])
            created = {}
            for keys in chunks([row["staff_id"] for row in batch]):
                created.update(
                    Staff.objects.filter(staff_id__in=keys).values_list("staff_id", "pk")
                )
            self._trail(
                Staff,
                {
                    created[row["staff_id"]]: trail.changes_of(None, _staff_fields(row))
                    for row in batch
                },
                trail.CREATE,
                {created[row["staff_id"]]: _staff_repr(row) for row in batch},
            )
            done += len(batch)
            progress(done, total)
        for batch in chunks(updates):
            User.objects.bulk_update(
                [
                    User(pk=row["user_id"], **{name: row[name] for name in USER_FIELDS})
                    for row in batch
                ],
                list(USER_FIELDS),
            )
            Staff.objects.bulk_update(
                [
                    Staff(pk=row["pk"], **{name: row[name] for name in STAFF_FIELDS})
                    for row in batch
                ],
                list(STAFF_FIELDS),
            )
            self._trail(
                Staff,
                {row["pk"]: trail.changes_of(row["was"], _staff_fields(row)) for row in batch},
                trail.UPDATE,
                {row["pk"]: _staff_repr(row) for row in batch},
            )
            done += len(batch)
            progress(done, total)
        back = [row["user_id"] for row in updates if row.get("back")]
        for batch in chunks(back):
            User.objects.filter(pk__in=batch).update(is_active=True)
        for batch in chunks(plan.work.get("leave", [])):
            leaving = list(Staff.objects.filter(user_id__in=batch).values_list("pk", "staff_id"))
            Staff.objects.filter(user_id__in=batch).update(active=False)
            User.objects.filter(pk__in=batch).update(is_active=False)
            self._trail(
                Staff,
                {pk: {"active": ["True", "False"]} for pk, _staff_id in leaving},
                trail.UPDATE,
                dict(leaving),
            )
        RoleMembership.objects.bulk_create(
            [
                RoleMembership(
                    user_id=row["user_id"],
                    role=RoleMembership.Role.HEAD,
                    school_id=row["school_id"],
                )
                for row in head_rows
            ],
            batch_size=CHUNK,
            ignore_conflicts=True,
        )
        progress(total, total)
