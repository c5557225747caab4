"""Translation workflow helpers (polib): split untranslated entries into parts for
translators, and apply translated parts back to the project's catalogue.

    python scripts/po_tools.py split dziennik/locale/pl/LC_MESSAGES/django.po OUTDIR N
    python scripts/po_tools.py apply dziennik/locale/pl/LC_MESSAGES/django.po PART.po ...
    python scripts/po_tools.py check dziennik/locale/pl/LC_MESSAGES/django.po
"""

import sys
from pathlib import Path

import polib

PLURAL_FORMS = (
    "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def split(catalogue: str, outdir: str, parts: int) -> None:
    po = polib.pofile(catalogue)
    todo = [e for e in po if not e.translated() and not e.obsolete]
    size = -(-len(todo) // parts)
    for index in range(parts):
        part = polib.POFile()
        part.metadata = dict(po.metadata, **{"Plural-Forms": PLURAL_FORMS})
        for entry in todo[index * size : (index + 1) * size]:
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            part.append(entry)
        path = Path(outdir) / f"part{index + 1}.po"
        part.save(str(path))
        print(path, len(part))


def apply(catalogue: str, *parts: str) -> None:
    po = polib.pofile(catalogue)
    po.metadata["Plural-Forms"] = PLURAL_FORMS
    po.metadata["Language"] = "pl"
    translations = {}
    for part in parts:
        for entry in polib.pofile(part):
            if entry.translated():
                translations[_key(entry)] = entry
    applied = 0
    for entry in po:
        source = translations.get(_key(entry))
        if source is None:
            continue
        entry.msgstr = source.msgstr
        entry.msgstr_plural = dict(source.msgstr_plural)
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        applied += 1
    po.save(catalogue)
    print(f"applied {applied}; untranslated left: {len(po.untranslated_entries())}")


def check(catalogue: str) -> None:
    po = polib.pofile(catalogue)
    left = po.untranslated_entries() + po.fuzzy_entries()
    for entry in left:
        print(f"untranslated: {entry.msgid!r}")
    print(f"{po.percent_translated()}% translated, {len(left)} left")


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    {
        "split": lambda: split(rest[0], rest[1], int(rest[2])),
        "apply": lambda: apply(*rest),
        "check": lambda: check(rest[0]),
    }[command]()
