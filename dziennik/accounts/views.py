from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .children import set_active_child
from .forms import LoginForm, PasswordChangeForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.account_record_login(user=form.get_user())
        return response


@require_POST
def logout_view(request):
    return auth_views.LogoutView.as_view()(request)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.user,
                user=request.user,
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("core:home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )


@login_required
@require_POST
def logout_everywhere(request):
    services.logout_everywhere(actor=request.user, user=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(request, _("You have been logged out on all other devices."))
    return redirect("core:home")


@login_required
@require_POST
def switch_child(request):
    try:
        student_id = int(request.POST.get("student", ""))
    except ValueError:
        raise Http404 from None
    if not set_active_child(request, student_id):
        raise Http404
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
