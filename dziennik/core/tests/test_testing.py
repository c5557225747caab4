"""The authorization matrix's leak check itself."""

from testsupport.world import leaks


def test_a_class_name_inside_a_csrf_token_is_not_a_leak():
    token = "x" * 20 + "4a" + "Q" * 20
    html = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    assert not leaks(html, "4a")
    assert not leaks(f'<body hx-headers=\'{{"X-CSRFToken": "4a{"z" * 40}"}}\'>', "4a")


def test_a_class_name_shown_as_a_word_is_a_leak():
    assert leaks("<td>4a</td>", "4a")
    assert leaks("klasa 4a, wychowawca", "4a")
    assert not leaks("<td>14ab</td>", "4a")


def test_secrets_with_punctuation_are_matched_exactly():
    assert leaks('<a href="/szkola/uczniowie/12/">', "/szkola/uczniowie/12/")
    assert not leaks('<a href="/szkola/uczniowie/123/">', "/szkola/uczniowie/12/")
    assert leaks("Zofia Wiśniewska", "Wiśniewska")
    assert not leaks("", "Wiśniewska")
