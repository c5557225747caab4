import numpy as np
import pytest

from dziennik.keystroke.tests import typing


@pytest.fixture
def owner_rhythm():
    return typing.rhythm(1)


@pytest.fixture
def other_rhythm():
    return typing.rhythm(2)


@pytest.fixture
def rng():
    return np.random.default_rng(13)
