from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("compte/", views.account, name="account"),
    path("compte/jetons/<int:token_id>/revoquer/", views.revoke_token, name="revoke_token"),
    path("etablissements/", views.school_list, name="school_list"),
    path("etablissements/nouveau/", views.school_create, name="school_create"),
    path("etablissements/<str:uai>/", views.school_detail, name="school_detail"),
]
