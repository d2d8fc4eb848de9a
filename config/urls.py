from django.contrib import admin
from django.urls import include, path

from accounts.views import login as login_views
from config.api import api
from training.views import directory as training_views

urlpatterns = [
    path("", training_views.home, name="home"),
    path("healthz", training_views.healthz, name="healthz"),
    path("readyz", training_views.readyz, name="readyz"),
    path("connexion/", login_views.LoginView.as_view(), name="login"),
    path("deconnexion/", login_views.logout, name="logout"),
    path("comptes/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("referents/", include("referents.urls")),
    path("", include("training.urls")),
]
