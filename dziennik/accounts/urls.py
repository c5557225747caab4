from django.urls import path

from . import views, views_email_code, views_forgot, views_passkeys, views_second_factor

app_name = "accounts"

urlpatterns = [
    path("logowanie/", views.LoginView.as_view(), name="login"),
    path(
        "logowanie/drugi-krok/",
        views_second_factor.login_second_step,
        name="login_second_step",
    ),
    path(
        "logowanie/kod-e-mail/",
        views_email_code.login_email_code,
        name="login_email_code",
    ),
    path(
        "logowanie/kod-e-mail/nowy/",
        views_email_code.login_email_code_resend,
        name="login_email_code_resend",
    ),
    path("weryfikacja/", views_second_factor.second_factor, name="second_factor"),
    path("weryfikacja/nowa/", views_second_factor.second_factor_enrol, name="second_factor_enrol"),
    path(
        "weryfikacja/potwierdz/",
        views_second_factor.second_factor_confirm,
        name="second_factor_confirm",
    ),
    path(
        "weryfikacja/wylacz/",
        views_second_factor.second_factor_disable,
        name="second_factor_disable",
    ),
    path("weryfikacja/kody-zapasowe/", views_second_factor.recovery_codes, name="recovery_codes"),
    path(
        "logowanie/klucz-dostepu/opcje/",
        views_passkeys.passkey_login_options,
        name="passkey_login_options",
    ),
    path("logowanie/klucz-dostepu/", views_passkeys.passkey_login, name="passkey_login"),
    path("klucze-dostepu/", views_passkeys.passkey_list, name="passkeys"),
    path(
        "klucze-dostepu/nowy/opcje/",
        views_passkeys.passkey_register_options,
        name="passkey_register_options",
    ),
    path("klucze-dostepu/nowy/", views_passkeys.passkey_register, name="passkey_register"),
    path(
        "klucze-dostepu/<int:passkey_id>/usun/",
        views_passkeys.passkey_remove,
        name="passkey_remove",
    ),
    path(
        "pracownicy/<int:user_id>/drugi-skladnik/",
        views_passkeys.second_factor_reset,
        name="second_factor_reset",
    ),
    path("wyloguj/", views.logout_view, name="logout"),
    path("haslo/", views.password_change, name="password_change"),
    path(
        "haslo/nie-pamietam/",
        views_forgot.ForgotPasswordView.as_view(),
        name="forgot_password",
    ),
    path(
        "haslo/nie-pamietam/wyslano/",
        views_forgot.ForgotPasswordSentView.as_view(),
        name="forgot_password_sent",
    ),
    path(
        "haslo/nowe/<uidb64>/<token>/",
        views_forgot.ForgotPasswordConfirmView.as_view(),
        name="forgot_password_confirm",
    ),
    path(
        "haslo/nowe/gotowe/",
        views_forgot.ForgotPasswordDoneView.as_view(),
        name="forgot_password_done",
    ),
    path("wyloguj-wszedzie/", views.logout_everywhere, name="logout_everywhere"),
    path("dziecko/", views.switch_child, name="switch_child"),
    path(
        "klasy/<int:class_id>/dane-logowania/",
        views.class_credentials,
        name="class_credentials",
    ),
    path("listy/<int:job_id>/", views.letters_job, name="letters_job"),
    path("listy/<int:job_id>/pobierz/", views.letters_download, name="letters_download"),
    path("pracownicy/", views.staff_accounts, name="staff_accounts"),
    path("pracownicy/nowe-konto/", views.staff_account_new, name="staff_account_new"),
    path("konta/<int:user_id>/nowe-haslo/", views.password_reset, name="password_reset"),
]
