import pytest

from dziennik.archive import signing

TEST_P12_PASSWORD = "haslo-testowe"


@pytest.fixture(scope="session")
def test_p12(tmp_path_factory):
    """One test certificate for the session (an RSA key takes a while to make)."""
    path = tmp_path_factory.mktemp("archive-key") / "school.p12"
    path.write_bytes(
        signing.make_test_certificate(common_name="Szkoła testowa", password=TEST_P12_PASSWORD)
    )
    return path


@pytest.fixture
def archive_settings(settings, tmp_path, test_p12):
    settings.ARCHIVE_DIR = tmp_path / "archiwum"
    settings.ARCHIVE_P12 = str(test_p12)
    settings.ARCHIVE_P12_PASSWORD = TEST_P12_PASSWORD
    return settings
