"""The production storage of static files: WhiteNoise's compressed, hashed copies, with
each file's address worked out once per process.

Every page's layout names about ten static files (``{% static %}``); for each the
manifest storage cleans the name, looks its hashed copy up and joins it to
``STATIC_URL``, about as costly as a cache round trip of a page built afresh in all. The
manifest is read when the process starts and does not change while it runs (a release
restarts the processes, docs/production.md section 8), so the answer for a name does not
either.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        found = self._urls.get(name)
        if found is None:
            found = self._urls[name] = super().url(name)
        return found
