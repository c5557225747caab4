from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from dziennik.accounts import typing_capture


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Login"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # The KeyStroke timing vector the page sent, or None (accounts/typing_capture.py):
    # read for the rhythm check, never a reason to refuse a login, never stored here.
    typing: list[float] | None = None

    def clean(self):
        self.typing = typing_capture.parse(self.data.get(typing_capture.FIELD, ""))
        return super().clean()


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("The current password is not correct."))
        return value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("The two new passwords differ."))
        if p1 and data.get("old_password") == p1:
            self.add_error("new_password1", _("The new password must differ from the old one."))
        return data


class StaffAccountForm(forms.Form):
    """A new member of staff: name, e-mail (for the "forgot your password" link) and the
    roles the school's office may give (``services.staff_roles_offered``)."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        help_text=_("Optional: with it, the person can set a new password after forgetting it."),
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, roles_offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = roles_offered


class ForgotPasswordForm(PasswordResetForm):
    """The e-mail address of a forgotten password's account. Whether an account has it
    is never said (the same answer either way)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )


class SecondFactorCodeForm(forms.Form):
    """A six-digit code from the authenticator app (or, at login, a recovery code)."""

    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SecondFactorLoginForm(SecondFactorCodeForm):
    code = forms.CharField(
        label=_("Code from the authenticator app or a recovery code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class SecondFactorDisableForm(forms.Form):
    """Turning the authenticator app off: a current code or the password proves it is
    the owner."""

    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("or your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("password"):
            raise forms.ValidationError(_("Enter a current code from the app or your password."))
        return data


class EmailCodeForm(forms.Form):
    """The six-digit login code sent by e-mail."""

    code = forms.CharField(
        label=_("Code from the e-mail"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
