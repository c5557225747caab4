import pytest

from dziennik.core.testing import AuthzMatrix, build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def matrix(world):
    return AuthzMatrix(world)
