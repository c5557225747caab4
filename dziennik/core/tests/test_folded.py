"""``{% folded %}``: the same output as the nodes it folds, in every language, branch and
loop, first rendered and kept."""

from django.template import Context, Engine
from django.utils import translation

from dziennik.core.templatetags.folded import FixedRun, FoldedNode

BODY = """
<h1>{% translate "Attendance" %} – {{ name }}</h1>
<p>{% translate "Summary" %} · {% translate "present" %}{% translate "absent" %}</p>
{% if flag %}<b>{% translate "Warnings" %}</b>{% elif other %}{% translate "Legend" %}
{% else %}–{% endif %}
{% for row in rows %}<tr><th>{% translate "Day" %}</th><td>{{ row }}</td></tr>
{% empty %}{% translate "No attendance yet." %}{% endfor %}
{% with x=name %}{% translate "Month" %}{{ x }}{% endwith %}
{% translate "Term" as term %}[{{ term }}]{% translate "Term"|upper %}{% translate name %}
{% translate "May" context "month name" %}{% translate "100%% & <b>" %}
{% autoescape off %}{% translate "a & b <i>" %}{% endautoescape %}
{% blocktranslate %}Attendance{% endblocktranslate %}
"""


def _engine():
    return Engine(
        libraries={"folded": "dziennik.core.templatetags.folded"},
        builtins=[
            "django.template.defaulttags",
            "django.template.defaultfilters",
            "django.template.loader_tags",
            "django.templatetags.i18n",
        ],
    )


def test_the_folded_output_is_the_nodes_output():
    engine = _engine()
    plain = engine.from_string(BODY)
    folded = engine.from_string("{% load folded %}{% folded %}" + BODY + "{% endfolded %}")
    runs = list(folded.nodelist.get_nodes_by_type(FixedRun))
    assert len(runs) >= 8  # in the if's and for's branches too
    assert len(list(folded.nodelist.get_nodes_by_type(FoldedNode))) == 1
    contexts = [
        {"name": "<Ala>", "flag": True, "rows": [1, "<2>"]},
        {"name": "Ola", "flag": False, "other": True, "rows": []},
        {"name": "Ela", "flag": False, "other": False, "rows": [3]},
    ]
    for _ in range(2):  # built, then kept
        for language in ("pl", "en"):
            with translation.override(language):
                for data in contexts:
                    expected = plain.render(Context(data))
                    assert folded.render(Context(data)) == expected
                    assert folded.render(Context(data, autoescape=False)) == plain.render(
                        Context(data, autoescape=False)
                    )
    with translation.override("pl"):
        assert "Frekwencja" in folded.render(Context(contexts[0]))
    with translation.override("en"):
        assert "Attendance" in folded.render(Context(contexts[0]))


URLS = """{% load static %}
<a href="{% url 'portal:home' %}">{% translate "Home" %}</a>
<a href="{% url 'attendance:student' 5 %}">{% url 'attendance:student' student_id=7 %}</a>
<a href="{% url view_name %}">{% url 'attendance:student' pk %}</a>
{% url 'portal:home' as home %}{{ home }}
<link href="{% static 'css/dziennik.css' %}">{% static path %}
{% static 'js/pwa.js' as pwa %}{{ pwa }}
"""


def test_literal_url_and_static_tags_are_folded_with_what_they_read():
    from django.templatetags.static import StaticNode
    from django.test import override_settings

    engine = Engine(
        libraries={
            "folded": "dziennik.core.templatetags.folded",
            "static": "django.templatetags.static",
        },
        builtins=["django.template.defaulttags", "django.templatetags.i18n"],
    )
    plain = engine.from_string(URLS)
    folded = engine.from_string("{% load folded %}{% folded %}" + URLS + "{% endfolded %}")
    runs = list(folded.nodelist.get_nodes_by_type(FixedRun))
    in_runs = sorted(
        type(n).__name__ for run in runs for n in run.nodelist if type(n).__name__ != "TextNode"
    )
    # the literal ones only: three urls and one static file; not a variable's, not "as"
    assert in_runs == ["StaticNode", "TranslateNode", "URLNode", "URLNode", "URLNode"]
    data = {"view_name": "portal:home", "pk": 9, "path": "js/htmx.min.js"}
    for _ in range(2):
        for language in ("pl", "en"):
            with translation.override(language):
                assert folded.render(Context(data)) == plain.render(Context(data))
    assert "/frekwencja/uczen/5/" in folded.render(Context(data))
    # a run kept is not given when what its tags read differs
    with override_settings(STATIC_URL="/other-static/"):
        html = folded.render(Context(data))
        assert html == plain.render(Context(data)) and "/other-static/css/dziennik.css" in html
    assert len(list(folded.nodelist.get_nodes_by_type(StaticNode))) == 3


def test_a_language_tag_cannot_be_folded():
    import pytest
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="language"):
        _engine().from_string(
            '{% load folded %}{% folded %}{% language "en" %}x{% endlanguage %}{% endfolded %}'
        )
