"""A room's label says "sala" once: "sala 12", but "sala gimnastyczna 1" as it is."""

import pytest

from dziennik.timetable.models import Room


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("12", "sala 12"),
        ("105a", "sala 105a"),
        ("B2", "sala B2"),
        ("sala gimnastyczna 1", "sala gimnastyczna 1"),
        ("aula", "aula"),
        ("pracownia komputerowa 3", "pracownia komputerowa 3"),
        ("Sala 7", "Sala 7"),
        ("s. 104", "s. 104"),
    ],
)
def test_room_label_names_the_room_once(name, label):
    assert Room(name=name).label == label
