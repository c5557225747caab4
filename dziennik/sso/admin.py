"""django-oauth-toolkit registers its clients and tokens in the admin; the register
manages clients on the school's own screen (``sso:platforms``), where every change is in
the history, so they leave the admin, which would write them unaudited."""

from django.contrib import admin
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

for model in (Application, AccessToken, Grant, IDToken, RefreshToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
