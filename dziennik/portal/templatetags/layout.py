"""``{% navigation %}…{% endnavigation %}``: the layout's top bar, kept in the cache per
what it depends on (``portal.layout``)."""

from django import template
from django.utils.safestring import mark_safe

from dziennik.core.cache import cached

from ..layout import navigation_key

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


@register.tag
def navigation(parser, token):
    nodelist = parser.parse(("endnavigation",))
    parser.delete_first_token()
    return NavigationNode(nodelist)
