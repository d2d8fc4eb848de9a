from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.api import api
from training.forms import LoginForm
from training.views import directory as training_views

urlpatterns = [
    path("", training_views.home, name="home"),
    path("healthz", training_views.healthz, name="healthz"),
    path("connexion/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("referents/", include("referents.urls")),
    path("", include("training.urls")),
]
