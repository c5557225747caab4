from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("logowanie/", views.LoginView.as_view(), name="login"),
    path("wyloguj/", views.logout_view, name="logout"),
    path("haslo/", views.password_change, name="password_change"),
    path("wyloguj-wszedzie/", views.logout_everywhere, name="logout_everywhere"),
    path("dziecko/", views.switch_child, name="switch_child"),
]
