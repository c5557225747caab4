"""``{% folded %}…{% endfolded %}``: the template's text and plain ``{% translate "…" %}``
tags between the dynamic nodes rendered once per language (and autoescaping) and kept.

A page with many fixed headings and column names (the student's attendance page: about
sixty ``translate`` tags) renders each run of fixed nodes as one string taken from a
dictionary, not node by node. The output is byte for byte what the nodes give: a run holds
only ``TextNode``s and ``translate`` tags of a literal without filters, context, ``noop``
or ``as``, whose output depends on the active language and on autoescaping alone (the
catalogues are loaded once per process). The runs inside ``{% if %}``, ``{% for %}``,
``{% with %}`` and other nodes' nodelists are folded as well.
"""

from __future__ import annotations

from django import template
from django.template.base import Node, NodeList, TextNode
from django.templatetags.i18n import TranslateNode
from django.utils.translation import get_language

register = template.Library()


def _fixed(node: Node) -> bool:
    if isinstance(node, TextNode):
        return True
    if type(node) is not TranslateNode:
        return False
    expression = node.filter_expression
    return (
        not node.noop
        and node.asvar is None
        and node.message_context is None
        and not expression.filters
        and getattr(expression.var, "literal", None) is not None
        and getattr(expression.var, "lookups", True) is None
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
        key = (get_language(), context.autoescape)
        try:
            return self._rendered[key]
        except KeyError:
            rendered = self._rendered[key] = self.nodelist.render(context)  # a SafeString
            return rendered


def fold(nodelist: NodeList) -> NodeList:
    folded = NodeList()
    run: list[Node] = []
    for node in nodelist:
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
        return self.nodelist.render(context)


@register.tag
def folded(parser, token):
    nodelist = parser.parse(("endfolded",))
    parser.delete_first_token()
    return FoldedNode(nodelist)
