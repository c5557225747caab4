"""``{% folded %}…{% endfolded %}``: the template's text, plain ``{% translate "…" %}``
tags and the ``{% url %}`` and ``{% static %}`` tags of literals only between the dynamic
nodes rendered once per language (and autoescaping) and kept.

A page with many fixed headings and column names (the student's attendance page: about
sixty ``translate`` tags) renders each run of fixed nodes as one string taken from a
dictionary, not node by node. The output is byte for byte what the nodes give: a run holds
only ``TextNode``s and ``translate`` tags of a literal without filters, context, ``noop``
or ``as``, whose output depends on the active language and on autoescaping alone (the
catalogues are loaded once per process), and ``url`` and ``static`` tags whose every
argument is a literal without filters and with no ``as``: their output depends on the URL
configuration, the script prefix and the static files' storage, read once per process
(the key of a run holds the settings and prefix they read, so a test that overrides one
gets its own). The runs inside ``{% if %}``, ``{% for %}``, ``{% with %}`` and other
nodes' nodelists are folded as well.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.base import Node, NodeList, TextNode, Variable
from django.template.defaulttags import URLNode
from django.templatetags.i18n import LanguageNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


def _literal(expression) -> bool:
    """A ``FilterExpression`` of a literal string or number, without filters (a constant
    is resolved when parsed; ``translate`` turns its own back into a ``Variable``)."""
    if expression.filters:
        return False
    var = expression.var
    if isinstance(var, Variable):
        return var.literal is not None and var.lookups is None
    return type(var) in (str, SafeString, int, float)


def _fixed(node: Node) -> bool:
    if isinstance(node, TextNode):
        return True
    kind = type(node)
    if kind is URLNode:
        return (
            node.asvar is None
            and _literal(node.view_name)
            and all(_literal(a) for a in node.args)
            and all(_literal(v) for v in node.kwargs.values())
        )
    if kind is StaticNode:
        return node.varname is None and _literal(node.path)
    if kind is not TranslateNode:
        return False
    return (
        not node.noop
        and node.asvar is None
        and node.message_context is None
        and _literal(node.filter_expression)
    )


class FixedRun(Node):
    """Consecutive fixed nodes: their joined output, kept per language and autoescaping."""

    child_nodelists = ("nodelist",)

    def __init__(self, nodes: list[Node]):
        self.nodelist = NodeList(nodes)
        self.token = nodes[0].token
        self.origin = nodes[0].origin
        self._rendered: dict[tuple, str] = {}

    def render(self, context) -> str:
        state = context.render_context.get(_STATE) or _state()
        key = (state, context.autoescape)
        try:
            return self._rendered[key]
        except KeyError:
            rendered = self._rendered[key] = self.nodelist.render(context)  # a SafeString
            return rendered


_STATE = "folded-state"


def _state() -> tuple:
    """What a run's output depends on but autoescaping: the language and what a url or
    static tag reads (constant in production; tests override it)."""
    return (
        get_language(),
        settings.ROOT_URLCONF,
        get_urlconf(),
        get_script_prefix(),
        settings.STATIC_URL,
    )


def fold(nodelist: NodeList) -> NodeList:
    folded = NodeList()
    run: list[Node] = []
    for node in nodelist:
        if type(node) is LanguageNode:  # its runs would need the language it sets
            raise template.TemplateSyntaxError("{% folded %} holds no {% language %}")
        if _fixed(node):
            run.append(node)
            continue
        if run:
            folded.append(_run(run))
            run = []
        conditions = getattr(node, "conditions_nodelists", None)  # {% if %}
        if conditions is not None:
            node.conditions_nodelists = [(c, fold(n)) for c, n in conditions]
        else:
            for attr in node.child_nodelists:
                inner = getattr(node, attr, None)
                if isinstance(inner, NodeList):
                    setattr(node, attr, fold(inner))
        folded.append(node)
    if run:
        folded.append(_run(run))
    folded.contains_nontext = nodelist.contains_nontext
    return folded


def _run(nodes: list[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 and isinstance(nodes[0], TextNode) else FixedRun(nodes)


class FoldedNode(Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: NodeList):
        self.nodelist = fold(nodelist)

    def render(self, context) -> str:
        # read once for the runs inside (the template's own render context: an included
        # template's runs read it themselves)
        context.render_context[_STATE] = _state()
        return self.nodelist.render(context)


@register.tag
def folded(parser, token):
    nodelist = parser.parse(("endfolded",))
    parser.delete_first_token()
    return FoldedNode(nodelist)
