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
    menu = navigation(getattr(request, "user", None))
    nav = [(label, url) for _group, items in menu for label, url in items]
    return {
        "SITE_CONFIG": site_config,
        "dune_menu": menu,
        "dune_nav": nav,
        "dune_breadcrumbs": breadcrumbs(nav, request.path),
    }


def breadcrumbs(nav: list[tuple[str, str]], path: str) -> list[tuple[str, str]]:
    """Between « Accueil » and the page: the menu's entry the page lies under (the
    longest of the menu's paths that starts the page's, « Catalogue » for a session)."""
    above = [(label, url) for label, url in nav if url != "/" and path.startswith(url)]
    above = [(label, url) for label, url in above if url != path]
    return [max(above, key=lambda entry: len(entry[1]))] if above else []


def navigation(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """The main menu of the signed-in person's roles: (group, [(label, url)]). Every page
    a role may use is in it (``tests/training/test_navigation.py`` follows the links);
    a group of one entry is shown as a plain link. ``roles_of()`` is cached on the user:
    the menu costs no query beyond the first."""
    groups: list[tuple[str, list[tuple[str, str]]]] = [("", [(_("Accueil"), reverse("home"))])]
    if user is None or not user.is_authenticated:
        return groups
    codes = {role.code for role in roles_of(user)}
    rectorate = {Role.AUDITOR, Role.MANAGER, Role.NATIONAL}

    def entries(*pairs):
        return [(label, reverse(name)) for allowed, label, name in pairs if allowed]

    training = entries(
        (codes, _("Catalogue"), "training:catalogue"),
        (TEACHER in codes, _("Mes formations"), "training:my_training"),
        (TEACHER in codes, _("Mon parcours"), "training:my_record"),
        (TEACHER in codes, _("Mes besoins"), "training:my_needs"),
        (Role.TRAINER in codes, _("Sessions que j'anime"), "training:my_sessions"),
        (codes, _("Mon agenda"), "training:agenda"),
        (
            codes & {Role.MANAGER, Role.NATIONAL},
            _("Dispositifs et modules"),
            "training:programme_list",
        ),
        (codes & {Role.MANAGER, Role.NATIONAL}, _("Nouvelle session"), "training:session_create"),
    )
    referents = entries(
        (TEACHER in codes, _("Candidature de référent"), "referents:candidature"),
        (REFERENT in codes, _("Mes missions"), "referents:dashboard"),
        (Role.HEAD in codes, _("Référent numérique"), "referents:school"),
        (codes & ({REFERENT} | rectorate), _("Réseau des référents"), "referents:directory"),
        (codes & rectorate, _("Synthèse de l'académie"), "referents:summary"),
        (codes & {Role.MANAGER, Role.NATIONAL}, _("Paie des indemnités"), "referents:payroll"),
    )
    steering = entries(
        (codes & ({Role.HEAD} | rectorate), _("Pilotage"), "training:audit_home"),
        (Role.NATIONAL in codes, _("Pilotage national"), "training:audit_national"),
        (codes & ({Role.HEAD, Role.TRAINER} | rectorate), _("Suivi"), "training:follow_up"),
        (
            codes & {Role.HEAD, Role.MANAGER, Role.NATIONAL},
            _("Validations"),
            "training:approval_queue",
        ),
        (
            codes & ({REFERENT, Role.HEAD} | rectorate),
            _("Plan de formation"),
            "training:school_plans",
        ),
        (codes & rectorate, _("Plans des établissements"), "training:school_plans_academy"),
        (codes & rectorate, _("Anomalies"), "training:anomaly_list"),
        (codes & rectorate, _("Historique des modifications"), "training:audit_trail"),
        (codes & rectorate, _("Clôture de l'année"), "training:closing"),
    )
    directory = entries(
        (codes, _("Établissements"), "training:school_list"),
        (codes & rectorate, _("Imports"), "training:import_list"),
        (codes & {Role.MANAGER, Role.NATIONAL}, _("Comptes"), "accounts:people"),
        (codes & {Role.MANAGER, Role.NATIONAL}, _("Connexions"), "accounts:sign_in_log"),
        (True, _("Mon compte"), "training:account"),
        (user.is_staff, _("Administration"), "admin:index"),
    )
    for label, items in (
        (_("Formations"), training),
        (_("Référents"), referents),
        (_("Pilotage"), steering),
        (_("Annuaire et comptes"), directory),
    ):
        if items:
            groups.append((label, items))
    return groups
