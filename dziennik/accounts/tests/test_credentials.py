"""Login names and one-time passwords."""

import re

from dziennik.accounts import credentials


def test_polish_letters_are_transliterated():
    assert credentials.transliterate("Łucja Żółkiewska") == "Lucja Zolkiewska"
    assert credentials.transliterate("ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ") == "acelnoszz ACELNOSZZ"


def test_username_is_readable_ascii():
    assert credentials.username_base("Zofia", "Wiśniewska") == "zofia.wisniewska"
    assert credentials.username_base("Anna", "Wiśniewska", guardian=True) == "anna.wisniewska.r"
    # Only the first given name; a double surname keeps its hyphen.
    assert credentials.username_base("Maria Anna", "Skłodowska-Curie") == ("maria.sklodowska-curie")
    assert credentials.username_base("Łucja", "Żółkiewska") == "lucja.zolkiewska"
    # A name without any Latin letters still gets a usable login.
    assert credentials.username_base("Юрій", "Шевченко") == "konto"


def test_username_is_numbered_on_clash_case_insensitively():
    taken = credentials.taken_checker(["Zofia.Wisniewska", "zofia.wisniewska2"])
    assert credentials.unique_username("zofia.wisniewska", taken) == "zofia.wisniewska3"
    free = credentials.taken_checker([])
    assert credentials.unique_username("zofia.wisniewska", free) == "zofia.wisniewska"


def test_password_uses_only_unambiguous_characters_and_is_random():
    passwords = {credentials.generate_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert re.fullmatch(r"[^-]{4}-[^-]{4}-[^-]{4}", password)
        assert set(password.replace("-", "")) <= set(credentials.PASSWORD_ALPHABET)
    assert not set("0Oo1lIi5Ss2Zz8Buv") & set(credentials.PASSWORD_ALPHABET)
