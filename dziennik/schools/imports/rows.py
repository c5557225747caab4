"""One student's row of the file, and the guardians it mentions, as read from it."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass


@dataclass
class GuardianRow:
    line: int
    first_name: str
    last_name: str
    relation: str
    email: str
    phone: str
    address: str  # the student's address, used to tell namesakes apart

    @property
    def name_key(self) -> tuple[str, str]:
        return (self.first_name.casefold(), self.last_name.casefold())

    def identity_keys(self) -> list[tuple]:
        """Two mentions are the same person when the name and one of these match."""
        keys = []
        if self.email:
            keys.append((*self.name_key, "email", self.email.casefold()))
        if self.phone:
            keys.append((*self.name_key, "phone", self.phone))
        if self.address:
            keys.append((*self.name_key, "address", _squash(self.address)))
        if not keys:
            keys.append((*self.name_key, "line", self.line))
        return keys


@dataclass
class StudentRow:
    line: int
    class_name: str
    level: int
    journal_number: int
    external_id: str
    first_name: str
    second_name: str
    last_name: str
    birth_date: datetime.date
    birth_place: str
    pesel: str
    address: str
    guardians: list[GuardianRow]

    @property
    def name_key(self) -> tuple[str, str, datetime.date]:
        return (self.first_name.casefold(), self.last_name.casefold(), self.birth_date)

    @property
    def class_key(self) -> str:
        return self.class_name.casefold()


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())
