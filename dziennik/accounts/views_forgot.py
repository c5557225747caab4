"""'Forgot your password?': Django's password-reset flow with the register's templates,
the limits of ``forgot.py`` and the history of ``services.password_forgotten_reset``.

No answer says whether an address belongs to an account; the e-mailed link works once
(its token is made from the password it replaces) and for ``PASSWORD_RESET_TIMEOUT``.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from . import forgot, services
from .forms import ForgotPasswordForm


class ForgotPasswordView(auth_views.PasswordResetView):
    template_name = "accounts/forgot_password.html"
    form_class = ForgotPasswordForm
    email_template_name = "accounts/email/forgot_password.txt"
    subject_template_name = "accounts/email/forgot_password_subject.txt"
    success_url = reverse_lazy("accounts:forgot_password_sent")

    def post(self, request, *args, **kwargs):
        if not forgot.client_within_limit(request):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Too many requests from this device. Try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if forgot.email_within_limit(form.cleaned_data["email"]):
            return super().form_valid(form)
        # the same answer as when the message is sent: nothing to learn from it
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ForgotPasswordSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/forgot_password_sent.html"


class ForgotPasswordConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/forgot_password_confirm.html"
    success_url = reverse_lazy("accounts:forgot_password_done")

    def form_valid(self, form):
        services.password_forgotten_reset(
            user=form.user, new_password=form.cleaned_data["new_password1"]
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ForgotPasswordDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/forgot_password_done.html"
