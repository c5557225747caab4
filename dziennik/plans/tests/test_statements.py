"""Bank statements: a realistic statement of 500 lines (made reproducibly here) is
matched correctly and a second import changes nothing; a bad file imports nothing;
the review queue's decisions are recorded."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.http import Http404
from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.plans import statements, titles
from dziennik.plans.models import Access, Payment, Purchase, Statement, StatementLine
from dziennik.plans.payments import bank
from dziennik.schools.tests import factories as sf

from .payments_support import leaflet, purchase

HEADER = (
    "Data operacji;Data księgowania;Opis operacji;Tytuł;Nadawca/Odbiorca;Numer konta;Kwota;"
    "Saldo po operacji"
)


def _variants(title: str, rng: random.Random) -> str:
    """The title as families type it: lower case, spaces for dashes, words around."""
    shapes = [
        title,
        title.lower(),
        title.replace("-", " "),
        title.replace("-", ""),
        f"Opłata za dziennik {title} Zosia",
        f"{title.lower()} konto rozszerzone",
        f"DZ {title[3:].replace('-', ' - ')}",
    ]
    return rng.choice(shapes)


def _row(day, title, who, amount, balance=Decimal("0")) -> str:
    money = f"{amount:.2f}".replace(".", ",")
    return ";".join(
        [
            day.isoformat(),
            day.isoformat(),
            "PRZELEW PRZYCHODZĄCY" if amount > 0 else "PRZELEW WYCHODZĄCY",
            title,
            who,
            "PL27 1140 2004 0000 3002 0135 5387",
            money,
            f"{balance:.2f}".replace(".", ","),
        ]
    )


@pytest.fixture
def scene(world):
    """A school with 420 pending transfer purchases spread over 30 children."""
    plans = leaflet(world)
    children = [world.student] + [
        sf.StudentFactory(school=world.school, first_name=f"Dziecko{n}", last_name="Testowe")
        for n in range(29)
    ]
    for child in children[1:]:
        sf.EnrolmentFactory(student=child, school_class=world.school_class)
    purchases = [
        purchase(world, plans["single"], student=children[n % 30], actor="secretary")
        for n in range(420)
    ]
    return plans, purchases


def realistic_statement(purchases, seed: int = 14) -> tuple[bytes, dict]:
    """500 lines: 350 paying exactly, 40 wrong amounts, 40 unknown titles, 30 second
    payments of a purchase paid above, 40 outgoing; shuffled, in cp1250 as banks send."""
    rng = random.Random(seed)
    start = datetime.date(2026, 10, 1)
    lines, expected = [], {}

    def day():
        return start + datetime.timedelta(days=rng.randrange(30))

    for p in purchases[:350]:
        lines.append(
            ("matched", p.title, _row(day(), _variants(p.title, rng), "Jan Kowalski", p.amount))
        )
    for p in purchases[350:390]:
        lines.append(
            (
                "wrong_amount",
                p.title,
                _row(day(), _variants(p.title, rng), "Ewa Nowak", p.amount - Decimal("2.00")),
            )
        )
    for n in range(40):
        text = rng.choice(["Składka na komitet", "czynsz", f"DZ-999-{n:08d}X", "darowizna"])
        lines.append(
            ("unknown_title", "", _row(day(), f"{text} {n}", "Ktoś Inny", Decimal("22.00")))
        )
    for p in purchases[:30]:
        lines.append(("already_paid", p.title, _row(day(), p.title, "Jan Kowalski", p.amount)))
    for n in range(40):
        lines.append(("outgoing", "", _row(day(), f"Faktura {n}", "Dostawca", Decimal("-123.45"))))
    rng.shuffle(lines)
    # The duplicates come after the payments they repeat (a bank books in order).
    firsts = {t for kind, t, _r in lines if kind == "matched"}
    ordered = [x for x in lines if x[0] != "already_paid"] + [
        x for x in lines if x[0] == "already_paid"
    ]
    assert len(ordered) == 500 and len(firsts) == 350
    text = "\n".join(["Historia rachunku", HEADER, *(row for _k, _t, row in ordered)]) + "\n"
    for kind, _t, _r in ordered:
        expected[kind] = expected.get(kind, 0) + 1
    return text.encode("cp1250"), expected


def test_a_realistic_statement_of_500_lines_is_matched_and_a_second_import_changes_nothing(
    world, scene
):
    _plans, purchases = scene
    data, expected = realistic_statement(purchases)
    assert expected == {
        "matched": 350,
        "wrong_amount": 40,
        "unknown_title": 40,
        "already_paid": 30,
        "outgoing": 40,
    }
    office = world.user("secretary")
    statement = bank.statement_import(actor=office, name="wyciag.csv", data=data, fmt="csv")
    assert statement.was_new
    assert statement.counts == {
        "matched": 350,
        "review": 110,
        "outgoing": 40,
        "assigned": 0,
        "dismissed": 0,
        "lines": 500,
        "already_imported": 0,
    }
    reasons = dict(
        StatementLine.objects.filter(outcome="review").values_list("reason").annotate(n=Count("id"))
    )
    assert reasons == {"wrong_amount": 40, "unknown_title": 40, "already_paid": 30}
    paid = set(Purchase.objects.filter(status="paid").values_list("pk", flat=True))
    assert paid == {p.pk for p in purchases[:350]}
    assert Payment.objects.count() == 350
    assert Access.objects.count() == 350
    # Each matched line names its purchase and payment.
    for line in StatementLine.objects.filter(outcome="matched").select_related(
        "purchase", "payment"
    )[:50]:
        assert line.payment.purchase_id == line.purchase_id
        assert line.payment.external_ref == line.ref
        assert line.payment.amount == line.amount == line.purchase.amount
    before = (Payment.objects.count(), StatementLine.objects.count(), AuditEntry.objects.count())
    again = bank.statement_import(actor=office, name="wyciag (1).csv", data=data, fmt="csv")
    assert again.pk == statement.pk and not again.was_new
    assert (
        Payment.objects.count(),
        StatementLine.objects.count(),
        AuditEntry.objects.count(),
    ) == before


def test_an_overlapping_statement_takes_only_its_new_lines(world, scene):
    _plans, purchases = scene
    office = world.user("secretary")
    first = "\n".join(
        [HEADER, _row(datetime.date(2026, 10, 1), purchases[0].title, "A", purchases[0].amount)]
    )
    second = "\n".join(
        [
            HEADER,
            _row(datetime.date(2026, 10, 1), purchases[0].title, "A", purchases[0].amount),
            _row(datetime.date(2026, 10, 2), purchases[1].title, "B", purchases[1].amount),
            "",
        ]
    )
    bank.statement_import(actor=office, name="1.csv", data=first.encode(), fmt="csv")
    statement = bank.statement_import(actor=office, name="2.csv", data=second.encode(), fmt="csv")
    assert statement.counts["already_imported"] == 1
    assert statement.counts["matched"] == 1
    assert Payment.objects.count() == 2


def test_a_bad_row_names_the_row_and_imports_nothing(world, scene):
    _plans, purchases = scene
    rows = [HEADER] + [
        _row(datetime.date(2026, 10, 1), p.title, "A", p.amount) for p in purchases[:8]
    ]
    rows[6] = rows[6].replace(";22,00;", ";dwadzieścia;")
    with pytest.raises(ValidationError) as refused:
        bank.statement_import(
            actor=world.user("secretary"), name="zly.csv", data="\n".join(rows).encode(), fmt="csv"
        )
    assert "7" in refused.value.messages[0]
    assert Statement.objects.count() == 0
    assert Payment.objects.count() == 0
    with pytest.raises(ValidationError):
        bank.statement_import(actor=world.user("secretary"), name="x.csv", data=b"hello", fmt="csv")
    with pytest.raises(ValidationError):
        bank.statement_import(
            actor=world.user("secretary"), name="x.sta", data=b"hello", fmt="mt940"
        )


def test_an_mt940_statement_is_matched_by_title_and_amount(world, scene):
    _plans, purchases = scene
    p1, p2 = purchases[0], purchases[1]
    mt = (
        ":20:ST26100101\n:25:PL61109010140000071219812874\n:28C:00001\n:60F:C261001PLN1000,00\n"
        f":61:2610011001C{p1.amount:.2f}NTRFNONREF//BR26100101\n".replace(".", ",")
        + f":86:020~00TRANSFER~20{p1.title.lower()}~21 abonament~27Jan Kowalski"
        + "~38PL27114020040000300201355387\n"
        + f":61:2610021002C10,00NTRFNONREF//BR26100102\n:86:020~20{p2.title}~27Anna\n"
        + ":61:2610021002D50,00NTRFREF9//BR26100103\n:86:Opłata\n:62F:C261002PLN1000,00\n-\n"
    )
    office = world.user("principal")
    statement = bank.statement_import(actor=office, name="w.sta", data=mt.encode(), fmt="mt940")
    assert statement.counts["matched"] == 1
    assert statement.counts["review"] == 1
    assert statement.counts["outgoing"] == 1
    line = StatementLine.objects.get(outcome="matched")
    assert (line.ref, line.counterparty, line.purchase) == ("bank:BR26100101", "Jan Kowalski", p1)
    assert StatementLine.objects.get(outcome="review").reason == "wrong_amount"


def test_the_office_assigns_or_dismisses_lines_of_the_review_queue(world, scene):
    _plans, purchases = scene
    office = world.user("secretary")
    day = datetime.date(2026, 10, 1)
    data = "\n".join(
        [
            HEADER,
            _row(day, "za dziennik Zosi", "Anna Wiśniewska", purchases[5].amount),
            _row(day, "zwrot składki", "Ktoś", Decimal("15.00")),
        ]
    ).encode()
    bank.statement_import(actor=office, name="s.csv", data=data, fmt="csv")
    unknown, other = StatementLine.objects.order_by("id")
    with pytest.raises(ValidationError):
        bank.statement_line_dismiss(actor=office, line=other, note="  ")
    with pytest.raises(ValidationError):
        bank.statement_line_assign(actor=office, line=unknown, title="DZ-1-XXXXXXXXX")
    with pytest.raises(Http404):
        bank.statement_line_assign(
            actor=world.user("own_parent"), line=unknown, title=purchases[5].title
        )
    bank.statement_line_assign(actor=office, line=unknown, title=purchases[5].title.lower())
    bank.statement_line_dismiss(actor=office, line=other, note="Zwrócono nadawcy")
    unknown.refresh_from_db()
    other.refresh_from_db()
    assert (unknown.outcome, unknown.purchase, unknown.decided_by) == (
        "assigned",
        purchases[5],
        office,
    )
    assert Purchase.objects.get(pk=purchases[5].pk).status == "paid"
    assert (other.outcome, other.note) == ("dismissed", "Zwrócono nadawcy")
    for line in (unknown, other):
        entry = AuditEntry.objects.get(object_id=str(line.pk), content_type__model="statementline")
        assert entry.actor == office and entry.changes["outcome"] == ["review", line.outcome]
    with pytest.raises(ValidationError):
        bank.statement_line_dismiss(actor=office, line=other, note="again")


def test_the_pages_of_the_office(world, scene, django_assert_num_queries):
    _plans, purchases = scene
    office = world.client("secretary")
    rows = [HEADER] + [
        _row(datetime.date(2026, 10, 1), f"{p.title} ?", "A", p.amount - 1) for p in purchases[:20]
    ]
    upload = SimpleUploadedFile("s.csv", "\n".join(rows).encode())
    response = office.post(reverse("payments:statements"), {"format": "csv", "file": upload})
    assert response.status_code == 302
    assert StatementLine.objects.filter(outcome="review").count() == 20
    with django_assert_num_queries(REVIEW_PAGE):
        page = office.get(reverse("payments:review"))
    assert page.status_code == 200 and purchases[19].title in page.text
    line = StatementLine.objects.order_by("id").first()
    office.post(
        reverse("payments:review_decide", args=[line.pk]),
        {"action": "dismiss", "note": "Nie nasza"},
    )
    assert StatementLine.objects.get(pk=line.pk).outcome == "dismissed"
    with django_assert_num_queries(STATEMENTS_PAGE):
        assert office.get(reverse("payments:statements")).status_code == 200
    bad = SimpleUploadedFile("zly.csv", b"nic tu nie ma")
    refused = office.post(reverse("payments:statements"), {"format": "csv", "file": bad})
    assert refused.status_code == 400


REVIEW_PAGE = 9
STATEMENTS_PAGE = 8


def test_titles_are_found_in_the_bank_s_text_whatever_the_spacing():
    title = titles.make_title(12)
    for text in (title, title.lower(), title.replace("-", " "), f"za {title.replace('-', '')} x"):
        assert titles.find_titles(text) == [title]
    assert statements.normalise(" dz-12 ab ") == "DZ12AB"
