from types import SimpleNamespace

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from training.roles import roles_of


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
        if roles_of(user):
            nav.append((_("Établissements"), reverse("training:school_list")))
        nav.append((_("Mon compte"), reverse("training:account")))
        if user.is_staff:
            nav.append((_("Administration"), reverse("admin:index")))
    return {"SITE_CONFIG": site_config, "dune_nav": nav}
