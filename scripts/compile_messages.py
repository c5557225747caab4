"""Compile every .po file under dziennik/ to .mo with polib (no GNU gettext needed)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> list[Path]:
    """Compile the stale catalogues; returns the ``.mo`` files written."""
    written = []
    for po_path in sorted((ROOT / "dziennik").rglob("locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    main()
