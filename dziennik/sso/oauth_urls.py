"""The OpenID Connect provider's endpoints (standard paths, under ``/o/``): the
authorization step (the register's own, ``views.Authorize``), django-oauth-toolkit's
token, revocation (RFC 7009), introspection (RFC 7662), discovery, JWKS and userinfo.
Not its pages for managing clients (the school's platforms have their own) nor the
device flow, dynamic registration or logout, which the register does not offer."""

from django.urls import path, re_path
from oauth2_provider import views as oauth_views

from . import views

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", views.Authorize.as_view(), name="authorize"),
    path("token/", oauth_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", oauth_views.IntrospectTokenView.as_view(), name="introspect"),
    re_path(
        r"^\.well-known/openid-configuration$",
        oauth_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", oauth_views.UserInfoView.as_view(), name="user-info"),
]
