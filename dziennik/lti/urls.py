from django.urls import path

from . import apis, views

app_name = "lti"

urlpatterns = [
    # The principal's screen (linked from /platformy/).
    path("platformy/lti/", views.tools, name="tools"),
    path("platformy/lti/nowe/", views.tool_new, name="tool_new"),
    path("platformy/lti/<int:tool_id>/odwolaj/", views.tool_revoke, name="tool_revoke"),
    # People: the tool links, a launch, deep linking.
    path("lti/", views.links, name="links"),
    path("lti/nowy/", views.link_new, name="link_new"),
    path("lti/<int:placement_id>/uruchom/", views.launch, name="launch"),
    path("lti/<int:placement_id>/wybierz/", views.deep_link, name="deep_link"),
    path("lti/kolumna/<int:line_item_id>/blokada/", views.line_item_lock, name="line_item_lock"),
    # The protocol: the tool's authorization request, deep linking's return.
    path("lti/auth/", views.auth, name="auth"),
    path("lti/deep-linking/", views.deep_link_return, name="deep_link_return"),
    # The services of a tool's server.
    path("lti/jwks/", apis.jwks, name="jwks"),
    path("lti/token/", apis.token, name="token"),
    path("lti/uslugi/<int:placement_id>/czlonkowie/", apis.memberships, name="memberships"),
    path("lti/uslugi/<int:placement_id>/kolumny/", apis.line_items, name="line_items"),
    path("lti/uslugi/kolumny/<int:line_item_id>/", apis.line_item, name="line_item"),
    path("lti/uslugi/kolumny/<int:line_item_id>/scores", apis.scores, name="scores"),
    path("lti/uslugi/kolumny/<int:line_item_id>/results", apis.results, name="results"),
]
