"""The production storage of static files (``core.static``): each address worked out
once per process, the same as WhiteNoise's manifest storage gives."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from dziennik.core.static import StaticFilesStorage


@pytest.fixture
def manifest(tmp_path):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"css/a.css": "css/a.0123abcd.css"}, "version": "1.1", "hash": "h"})
    )
    return tmp_path


def test_the_address_is_the_manifest_storages_and_is_worked_out_once(manifest):
    storage = StaticFilesStorage(location=manifest, base_url="/static/")
    plain = CompressedManifestStaticFilesStorage(location=manifest, base_url="/static/")
    assert storage.url("css/a.css") == plain.url("css/a.css") == "/static/css/a.0123abcd.css"
    storage.hashed_files["css/a.css"] = "css/a.changed.css"  # the manifest is not asked again
    assert storage.url("css/a.css") == "/static/css/a.0123abcd.css"
    assert storage.url("css/a.css", force=True) == "/static/css/a.changed.css"


def test_a_file_missing_from_the_manifest_is_still_an_error(manifest):
    storage = StaticFilesStorage(location=manifest, base_url="/static/")
    for _ in range(2):  # nothing kept for it
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
