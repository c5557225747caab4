"""``{% navigation %}…{% endnavigation %}``: the layout's top bar, kept in the cache per
what it depends on (``portal.layout``)."""

from django import template
from django.template.loader_tags import BlockNode
from django.utils.safestring import mark_safe

from dziennik.core.cache import Scope, cached

from ..layout import header_key, navigation_key

register = template.Library()


class CachedNode(template.Node):
    """A part of the layout kept in the cache for an authenticated viewer, under the key
    and scopes ``key_of`` gives; rendered afresh for anyone else, or when ``key_of``
    returns ``None``."""

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def key_of(self, request, viewer) -> tuple[str, list[Scope]] | None:
        """``(key, scopes)`` the part is kept under, or ``None`` to render it afresh."""
        raise NotImplementedError

    def render(self, context) -> str:
        request = context.get("request")
        viewer = getattr(request, "viewer", None)
        if viewer is None or not viewer.is_authenticated:
            return self.nodelist.render(context)
        found = self.key_of(request, viewer)
        if found is None:
            return self.nodelist.render(context)
        key, scopes = found
        # kept as a plain str: what was rendered was escaped when it was rendered
        return mark_safe(cached(key, scopes, lambda: str(self.nodelist.render(context))))  # noqa: S308


class NavigationNode(CachedNode):
    def key_of(self, request, viewer) -> tuple[str, list[Scope]] | None:
        return navigation_key(viewer, request.path)


class HeaderNode(CachedNode):
    # What ``{% extends %}`` searches for blocks on every page (``get_nodes_by_type``)
    # need not walk the header: no block is inside.
    child_nodelists = ()

    def key_of(self, request, viewer) -> tuple[str, list[Scope]] | None:
        return header_key(request, viewer)


@register.tag
def header(parser, token):
    """``{% header %}…{% endheader %}``: the page's header, kept per viewer, language,
    page, chosen child and CSRF secret (``portal.layout.header_key``)."""
    nodelist = parser.parse(("endheader",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("{% header %} keeps no {% block %} inside")
    return HeaderNode(nodelist)


@register.tag
def navigation(parser, token):
    nodelist = parser.parse(("endnavigation",))
    parser.delete_first_token()
    return NavigationNode(nodelist)
