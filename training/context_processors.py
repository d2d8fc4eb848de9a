from types import SimpleNamespace

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from training.models import RoleMembership
from training.roles import REFERENT, TEACHER, roles_of

Role = RoleMembership.Role


def site(request):
    """The DSFR header settings (kept in code, not in a database row read on every page)
    and the navigation of the signed-in person's roles."""
    site_config = SimpleNamespace(
        site_title=settings.DUNE_SITE_TITLE,
        site_tagline=settings.DUNE_SITE_TAGLINE,
        header_brand_html="Ministère<br>de l'Éducation<br>nationale",
        footer_brand_html="Ministère<br>de l'Éducation<br>nationale",
        footer_description="",
        mourning=False,
        beta_tag=True,
        accessibility_status="NOT",
    )
    nav = [(_("Accueil"), reverse("home"))]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # roles_of() is cached on the user: the menu costs no query beyond the first.
        codes = {role.code for role in roles_of(user)}
        if codes:
            nav.append((_("Catalogue"), reverse("training:catalogue")))
        if TEACHER in codes:
            nav.append((_("Mes formations"), reverse("training:my_training")))
            nav.append((_("Mon parcours"), reverse("training:my_record")))
        if codes:
            nav.append((_("Mon agenda"), reverse("training:agenda")))
        if REFERENT in codes:
            nav.append((_("Mes missions"), reverse("referents:dashboard")))
        if Role.HEAD in codes:
            nav.append((_("Référent numérique"), reverse("referents:school")))
        if TEACHER in codes:
            nav.append((_("Mes besoins"), reverse("training:my_needs")))
        if codes & {REFERENT, Role.HEAD, Role.AUDITOR, Role.MANAGER, Role.NATIONAL}:
            nav.append((_("Plan de formation"), reverse("training:school_plans")))
        if codes & {Role.HEAD, Role.MANAGER, Role.NATIONAL}:
            nav.append((_("Validations"), reverse("training:approval_queue")))
        if codes & {Role.HEAD, Role.TRAINER, Role.AUDITOR, Role.MANAGER, Role.NATIONAL}:
            nav.append((_("Suivi"), reverse("training:follow_up")))
        if codes & {Role.MANAGER, Role.NATIONAL}:
            nav.append((_("Nouvelle session"), reverse("training:session_create")))
        if codes & {Role.HEAD, Role.AUDITOR, Role.MANAGER, Role.NATIONAL}:
            nav.append((_("Pilotage"), reverse("training:audit_home")))
        if codes & {Role.AUDITOR, Role.MANAGER, Role.NATIONAL}:
            nav.append((_("Imports"), reverse("training:import_list")))
        if codes & {Role.MANAGER, Role.NATIONAL}:
            nav.append((_("Comptes"), reverse("accounts:people")))
        if codes:
            nav.append((_("Établissements"), reverse("training:school_list")))
        nav.append((_("Mon compte"), reverse("training:account")))
        if user.is_staff:
            nav.append((_("Administration"), reverse("admin:index")))
    return {"SITE_CONFIG": site_config, "dune_nav": nav}
