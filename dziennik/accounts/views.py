from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.extensions import collect_related_links
from dziennik.core.http import content_disposition, safe_next
from dziennik.schools.selectors import login_school

from . import email_code, letter_jobs, login_checks, permissions, selectors, services, totp
from .children import set_active_child
from .forms import LoginForm, PasswordChangeForm, StaffAccountForm
from .letters import render_letters
from .models import LetterJob
from .tasks import letters_progress
from .views_email_code import EMAIL_STEP_KEY, begin_email_step
from .views_second_factor import begin_second_step, finish_login

LOGIN_URL = "accounts:login"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"login_school": login_school()}

    def form_valid(self, form):
        user = form.get_user()
        for key in (login_checks.PENDING_KEY, EMAIL_STEP_KEY):  # of an abandoned login
            self.request.session.pop(key, None)
        has_factor = totp.has_second_factor(user)
        unusual = login_checks.login_unusual(
            user, form.typing, second_step_possible=has_factor or email_code.can_receive(user)
        )
        if has_factor:
            response = begin_second_step(self.request, user, self.get_success_url())
            login_checks.remember(self.request, user, form.typing)
            return response
        if unusual and email_code.can_receive(user):
            response = begin_email_step(self.request, user, self.get_success_url())
            login_checks.remember(self.request, user, form.typing)
            return response
        response = super().form_valid(form)
        finish_login(self.request, user, form.typing)
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
            return redirect("portal:home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": request.user.must_change_password,
            # what higher apps offer beside the password (KeyStroke)
            "related_links": collect_related_links(request.viewer, "account_security", None),
        },
    )


@login_required
@require_POST
def logout_everywhere(request):
    services.logout_everywhere(actor=request.user, user=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(request, _("You have been logged out on all other devices."))
    return redirect("portal:home")


@login_required
@require_POST
def switch_child(request):
    try:
        student_id = int(request.POST.get("student", ""))
    except ValueError:
        raise Http404 from None
    if not set_active_child(request, student_id):
        raise Http404
    return HttpResponseRedirect(safe_next(request, request.POST.get("next")))


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename)
    # The letters carry one-time passwords: no caching anywhere, always a download.
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def class_credentials(request, class_id: int):
    """GET: what the credential letters are, who has an account. POST: start preparing
    the letters in the background (or find the job already started) and show it."""
    viewer = request.viewer
    school_class = selectors.get_managed_class_for(viewer, class_id)
    if request.method == "POST":
        job, started = letter_jobs.letter_job_start(
            actor=request.user,
            school_class=school_class,
            regenerate=request.POST.get("regenerate") == "1",
            login_url=request.build_absolute_uri(reverse(LOGIN_URL)),
        )
        if not started and job.status == LetterJob.Status.READY:
            messages.info(request, _("Your letters of this class are waiting for download."))
        elif not started:
            messages.info(request, _("The letters of this class are already being prepared."))
        if job.requested_by_id != request.user.pk:  # someone else's: theirs to download
            return redirect("accounts:class_credentials", class_id=school_class.pk)
        return redirect("accounts:letters_job", job_id=job.pk)
    students, guardians = selectors.class_accounts(viewer, school_class)
    return render(
        request,
        "accounts/class_credentials.html",
        {
            "school_class": school_class,
            "students": students,
            "guardians": guardians,
            "without_account": sum(1 for row in [*students, *guardians] if row.user is None),
        },
    )


@login_required
def letters_job(request, job_id: int):
    """The progress of the viewer's letters job; htmx polls its status part until done."""
    job = letter_jobs.get_letter_job_for(request.viewer, job_id)
    context = {"job": job, "progress": letters_progress(job.pk), "statuses": LetterJob.Status}
    if request.htmx:
        return render(request, "accounts/_letters_job_status.html", context)
    return render(request, "accounts/letters_job.html", context)


@login_required
@require_POST
def letters_download(request, job_id: int):
    """The letters, once, for the person who asked for them; then they are deleted."""
    job, content = letter_jobs.letter_job_download(actor=request.user, job_id=job_id)
    return _pdf_response(content, f"loginy-{slugify(job.school_class.name)}.pdf")


@login_required
def staff_accounts(request):
    """The school's staff accounts, for the principal, deputy and secretary."""
    viewer = request.viewer
    if not permissions.can_manage_staff_accounts(viewer):
        raise Http404
    rows = selectors.staff_accounts(viewer)
    missing = [row for row in rows if row.status != "inactive" and not row.has_second_factor]
    return render(
        request,
        "accounts/staff_accounts.html",
        {"rows": rows, "without_second_factor": missing},
    )


@login_required
def staff_account_new(request):
    """GET: the form for a new member of staff. POST: the account with its roles, and
    its credential letter (PDF), as for families."""
    viewer = request.viewer
    if not permissions.can_manage_staff_accounts(viewer):
        raise Http404
    form = StaffAccountForm(
        request.POST or None, roles_offered=services.staff_roles_offered(viewer, viewer.school_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.staff_account_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            pdf = render_letters([issued], login_url=request.build_absolute_uri(reverse(LOGIN_URL)))
            return _pdf_response(pdf, f"dane-logowania-{slugify(issued.username)}.pdf")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/staff_account_new.html", {"form": form}, status=status)


@login_required
def password_reset(request, user_id: int):
    """GET: confirm whose password is reset. POST: the new one-time password letter."""
    account = selectors.get_resettable_user_for(request.viewer, user_id)
    if request.method == "POST":
        issued = services.password_reset(actor=request.user, user=account)
        pdf = render_letters([issued], login_url=request.build_absolute_uri(reverse(LOGIN_URL)))
        return _pdf_response(pdf, f"nowe-haslo-{slugify(account.username)}.pdf")
    return render(request, "accounts/password_reset.html", {"account": account})
