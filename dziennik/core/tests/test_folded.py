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
