"""Each demo account logs in through the real form and sees its own home page."""

import io

import pytest
from django.core.management import call_command

from dziennik.demo.school import DEMO_PASSWORD
from dziennik.schools.models import School, Student
from testsupport.browser import login

pytestmark = pytest.mark.browser


def test_each_demo_role_sees_its_home_page(page):
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    school = School.objects.get()
    children = list(
        Student.objects.filter(guardianships__guardian__user__username="rodzic").order_by(
            "first_name", "pk"
        )
    )
    student = Student.objects.get(user__username="uczen")

    def as_user(username):
        page.context.clear_cookies()
        login(page, username, DEMO_PASSWORD)
        assert "logowanie" not in page.url and "haslo" not in page.url, username

    for username in ("dyrektor", "sekretariat"):
        as_user(username)
        assert school.name in page.locator("#school-overview .school-name").inner_text()
        assert page.locator("#stat-students").inner_text() == str(
            Student.objects.filter(enrolments__end_date__isnull=True).count()
        )
        assert page.locator("#led-h").count() == 0

    as_user("wychowawca")
    assert page.locator("#led-classes a").all_inner_texts() == [
        page.locator("#led-classes a").first.inner_text()
    ]
    assert page.locator("#led-classes a").first.inner_text().strip().endswith(" 4a")
    taught = page.locator("#teach-h ~ div table tbody tr").all_inner_texts()
    assert any("4a" in row and "Język polski" in row for row in taught)
    assert page.locator("#overview-h").count() == 0

    as_user("nauczyciel")
    rows = page.locator("#teach-h ~ div table tbody tr").all_inner_texts()
    assert len({row.split()[0] for row in rows}) >= 3
    assert all("Matematyka" in row for row in rows)
    assert page.locator("#led-h").count() == 0

    as_user("rodzic")
    options = page.locator("#child-select option")
    assert options.count() == 2
    values = sorted(int(v) for v in options.evaluate_all("els => els.map(e => e.value)"))
    assert values == sorted(c.pk for c in children)
    assert student.pk in values

    as_user("uczen")
    assert page.locator(f'main a[href="/szkola/uczniowie/{student.pk}/"]').count() == 1
    assert page.locator("#child-select").count() == 0
    assert page.locator("#teach-h").count() == 0
