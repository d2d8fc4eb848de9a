from django.urls import path

from accounts.views import activation, cas, oidc, people, sessions
from accounts.views import login as login_views

app_name = "accounts"

urlpatterns = [
    path("refus/", login_views.refused, name="refused"),
    path("oidc/connexion/", oidc.OidcLoginView.as_view(), name="oidc_login"),
    path("oidc/retour/", oidc.OidcCallbackView.as_view(), name="oidc_callback"),
    path("cas/connexion/", cas.CasLoginView.as_view(), name="cas_login"),
    path("cas/deconnexion/", cas.CasLogoutView.as_view(), name="cas_logout"),
    path("mot-de-passe/", activation.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/envoye/",
        activation.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path("activer/<uidb64>/<token>/", activation.ActivateView.as_view(), name="activate"),
    path("active/", activation.ActivatedView.as_view(), name="activated"),
    path("deconnexion-partout/", sessions.sign_out_everywhere, name="sign_out_everywhere"),
    path("personnels/", people.people, name="people"),
    path("personnels/activation/", people.send_activation, name="send_activation"),
    path("personnels/deverrouiller/", people.unlock, name="unlock"),
    path(
        "personnels/<int:pk>/desactiver/",
        people.set_active,
        {"active": False},
        name="deactivate",
    ),
    path("personnels/<int:pk>/reactiver/", people.set_active, {"active": True}, name="reactivate"),
    path("connexions/", people.sign_in_log, name="sign_in_log"),
]
