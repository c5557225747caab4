"""The SMS encoding: GSM-7 or UCS-2, transliteration, parts (property tests)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from dziennik.notifications.sms import encoding
from dziennik.notifications.sms.address import e164

GSM_BASIC = [c for c in encoding.BASIC if c != "\x1b"]
GSM_CHARS = st.sampled_from(GSM_BASIC + list(encoding.EXTENSION))
POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
ANY_TEXT = st.text(
    # the register stores no lone surrogate (``core.text``): any other character
    alphabet=st.one_of(
        GSM_CHARS,
        st.sampled_from(POLISH + "–„”…😀"),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=700,
)


def _length(text: str, coding: int) -> int:
    if coding == encoding.GSM7:
        return sum(2 if c in encoding.EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-be")) // 2


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_parts_rebuild_the_text_and_respect_the_limits(text):
    coding, parts = encoding.split(text)
    assert coding == (encoding.GSM7 if all(c in GSM_BASIC or c in encoding.EXTENSION
                                           for c in text) else encoding.UCS2)  # fmt: skip
    assert encoding.decode(b"".join(parts), coding) == text
    total = _length(text, coding)
    assert total == encoding.length(text, coding)
    if total <= encoding.SINGLE[coding]:
        assert len(parts) == 1
    else:
        per_part = encoding.PER_PART[coding]
        # no part over the limit, no character cut, and at most one more part than the
        # plain division (a character kept whole may push one over)
        assert len(parts) >= math.ceil(total / per_part)
        for part in parts:
            units = len(part) if coding == encoding.GSM7 else len(part) // 2
            assert units <= per_part
            assert encoding.decode(part, coding)  # decodes alone: nothing cut
            if coding == encoding.GSM7:
                assert not part.endswith(b"\x1b") or part.endswith(b"\x1b\x1b")
        assert encoding.segments(text) == len(parts)


@given(st.text(alphabet=st.sampled_from(GSM_BASIC), min_size=0, max_size=1000))
def test_gsm7_segment_counts(text):
    n = len(text)
    expected = 1 if n <= 160 else math.ceil(n / 153)
    assert encoding.segments(text) == expected


@given(st.text(alphabet=st.sampled_from(POLISH + "abc "), min_size=1, max_size=1000))
def test_ucs2_segment_counts_and_the_cheap_choice(text):
    n = len(text)
    if any(c in POLISH for c in text):
        assert encoding.segments(text) == (1 if n <= 70 else math.ceil(n / 67))
    cheap = encoding.prepare(text, cheap=True)
    assert cheap.coding == encoding.GSM7
    assert cheap.count == (1 if n <= 160 else math.ceil(n / 153))


def test_the_boundaries():
    assert encoding.segments("a" * 160) == 1
    assert encoding.segments("a" * 161) == 2
    assert encoding.segments("a" * 306) == 2
    assert encoding.segments("a" * 307) == 3
    assert encoding.segments("€" * 80) == 1  # two septets each: 160
    assert encoding.segments("€" * 81) == 2
    assert encoding.segments("ą" * 70) == 1
    assert encoding.segments("ą" * 71) == 2
    assert encoding.segments("ą" * 134) == 2
    assert encoding.segments("ą" * 135) == 3
    # an escape is never split from its character: 152 + "€" does not fit a 153 part
    coding, parts = encoding.split("a" * 152 + "€" + "a" * 10)
    assert (coding, [len(p) for p in parts]) == (encoding.GSM7, [152, 12])
    # nor a surrogate pair (an emoji is two UCS-2 units)
    coding, parts = encoding.split("ą" * 66 + "😀" + "ą" * 10)
    assert (coding, [len(p) // 2 for p in parts]) == (encoding.UCS2, [66, 12])


def test_transliteration_and_gsm7_details():
    assert encoding.transliterate("Zażółć gęślą jaźń – ŁÓDŹ „x” …") == (
        'Zazolc gesla jazn - LODZ "x" ...'
    )
    assert encoding.choose("§ ¿ é Ä") == encoding.GSM7  # in the basic set
    assert encoding.choose("`") == encoding.UCS2  # not GSM-7 (smpplib's table has it)
    assert encoding.encode("@§{", encoding.GSM7) == bytes([0x00, 0x5F, 0x1B, 0x28])
    assert encoding.udh(300, 3, 2) == bytes([5, 0, 3, 300 & 0xFF, 3, 2])


def test_phone_numbers_in_e164():
    assert e164("601 234 567") == "+48601234567"
    assert e164("0048 601-234-567") == "+48601234567"
    assert e164("+44 7911 123456") == "+447911123456"
    assert e164("22 123 45 67") == ""  # a landline takes no SMS
    assert e164("12345") == e164("") == e164("telefon") == ""
