"""``{% navigation %}…{% endnavigation %}``: the layout's top bar, kept in the cache per
what it depends on (``portal.layout``)."""

from django import template
from django.template.loader_tags import BlockNode
from django.utils.safestring import mark_safe

from dziennik.core.cache import cached

from ..layout import header_key, navigation_key

register = template.Library()


class NavigationNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        request = context.get("request")
        viewer = getattr(request, "viewer", None)
        if viewer is None or not viewer.is_authenticated:
            return self.nodelist.render(context)
        key, scopes = navigation_key(viewer, request.path)
        # kept as a plain str: what was rendered was escaped when it was rendered
        return mark_safe(cached(key, scopes, lambda: str(self.nodelist.render(context))))  # noqa: S308


class HeaderNode(template.Node):
    # What ``{% extends %}`` searches for blocks on every page (``get_nodes_by_type``)
    # need not walk the header: no block is inside.
    child_nodelists = ()

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        request = context.get("request")
        viewer = getattr(request, "viewer", None)
        if viewer is None or not viewer.is_authenticated:
            return self.nodelist.render(context)
        found = header_key(request, viewer)
        if found is None:
            return self.nodelist.render(context)
        key, scopes = found
        # kept as a plain str: what was rendered was escaped when it was rendered
        return mark_safe(cached(key, scopes, lambda: str(self.nodelist.render(context))))  # noqa: S308


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
