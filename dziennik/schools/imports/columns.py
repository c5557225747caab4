"""The import file's format: its columns (Polish names, English aliases), the guardians'
relations, the template (``docs/import-format.md``)."""

from __future__ import annotations

from dziennik.core import csvimport

from ..models import Guardianship

MAX_FILE_BYTES = csvimport.MAX_FILE_BYTES
MAX_JOURNAL_NUMBER = 999

GUARDIAN_SLOTS = (1, 2)
GUARDIAN_PARTS = ("imie", "nazwisko", "relacja", "email", "telefon")

# Column name → required. Order is the order of the template.
COLUMNS: dict[str, bool] = {
    "klasa": True,
    "poziom": False,
    "nr_w_dzienniku": True,
    "id_ucznia": False,
    "imie": True,
    "drugie_imie": False,
    "nazwisko": True,
    "data_urodzenia": True,
    "miejsce_urodzenia": False,
    "pesel": False,
    "adres": False,
}
for _slot in GUARDIAN_SLOTS:
    for _part in GUARDIAN_PARTS:
        COLUMNS[f"opiekun{_slot}_{_part}"] = False

# English column names are accepted too (normalized form → canonical column).
COLUMN_ALIASES: dict[str, str] = {
    "class": "klasa",
    "level": "poziom",
    "journal_number": "nr_w_dzienniku",
    "external_id": "id_ucznia",
    "student_id": "id_ucznia",
    "first_name": "imie",
    "second_name": "drugie_imie",
    "last_name": "nazwisko",
    "birth_date": "data_urodzenia",
    "birth_place": "miejsce_urodzenia",
    "address": "adres",
}
for _slot in GUARDIAN_SLOTS:
    for _en, _pl in (
        ("first_name", "imie"),
        ("last_name", "nazwisko"),
        ("relation", "relacja"),
        ("email", "email"),
        ("e_mail", "email"),
        ("phone", "telefon"),
    ):
        COLUMN_ALIASES[f"guardian{_slot}_{_en}"] = f"opiekun{_slot}_{_pl}"
    COLUMN_ALIASES[f"opiekun{_slot}_e_mail"] = f"opiekun{_slot}_email"

RELATIONS: dict[str, str] = {
    "matka": Guardianship.Relation.MOTHER,
    "mother": Guardianship.Relation.MOTHER,
    "ojciec": Guardianship.Relation.FATHER,
    "father": Guardianship.Relation.FATHER,
    "opiekun_prawny": Guardianship.Relation.LEGAL_GUARDIAN,
    "opiekunka_prawna": Guardianship.Relation.LEGAL_GUARDIAN,
    "legal_guardian": Guardianship.Relation.LEGAL_GUARDIAN,
    "rodzic_zastepczy": Guardianship.Relation.FOSTER_PARENT,
    "rodzina_zastepcza": Guardianship.Relation.FOSTER_PARENT,
    "foster_parent": Guardianship.Relation.FOSTER_PARENT,
}

TEMPLATE_ROWS = [
    {
        "klasa": "4a",
        "poziom": "4",
        "nr_w_dzienniku": "1",
        "id_ucznia": "U-2026-001",
        "imie": "Zofia",
        "drugie_imie": "Maria",
        "nazwisko": "Wiśniewska",
        "data_urodzenia": "17.05.2016",
        "miejsce_urodzenia": "Kraków",
        "pesel": "16251701247",
        "adres": "ul. Źródlana 5/3, 30-001 Kraków",
        "opiekun1_imie": "Anna",
        "opiekun1_nazwisko": "Wiśniewska",
        "opiekun1_relacja": "matka",
        "opiekun1_email": "anna.wisniewska@example.pl",
        "opiekun1_telefon": "601 234 567",
        "opiekun2_imie": "Łukasz",
        "opiekun2_nazwisko": "Wiśniewski",
        "opiekun2_relacja": "ojciec",
        "opiekun2_email": "",
        "opiekun2_telefon": "602 345 678",
    },
    {
        "klasa": "7b",
        "poziom": "7",
        "nr_w_dzienniku": "12",
        "id_ucznia": "U-2023-014",
        "imie": "Jędrzej",
        "drugie_imie": "",
        "nazwisko": "Wiśniewski",
        "data_urodzenia": "2013-02-03",
        "miejsce_urodzenia": "Kraków",
        "pesel": "",
        "adres": "ul. Źródlana 5/3, 30-001 Kraków",
        "opiekun1_imie": "Anna",
        "opiekun1_nazwisko": "Wiśniewska",
        "opiekun1_relacja": "matka",
        "opiekun1_email": "anna.wisniewska@example.pl",
        "opiekun1_telefon": "601 234 567",
        "opiekun2_imie": "",
        "opiekun2_nazwisko": "",
        "opiekun2_relacja": "",
        "opiekun2_email": "",
        "opiekun2_telefon": "",
    },
]


def normalize_column(name: str) -> str:
    """``"Opiekun 1 – imię"`` → ``"opiekun1_imie"``; English names → the Polish ones."""
    name = csvimport.plain_name(name)
    return COLUMN_ALIASES.get(name, name)


def template_csv() -> str:
    """The downloadable template: the header and two example rows, ``;``-separated."""
    return csvimport.template_csv(list(COLUMNS), TEMPLATE_ROWS)
