"""The POST matrices of the promotion lists: only the principal of the school prepares,
records the council's decision, confirms and corrects; refused requests change nothing."""

from django.urls import reverse
from django.utils import timezone

from dziennik.grades.models import ClassificationGrade
from dziennik.promotion.models import PromotionEntry, PromotionList
from testsupport.url_matrix import Scene, expect

from .factories import classify_4a

PRINCIPAL_ONLY = expect(404, principal=302)


def _state():
    return (
        list(
            PromotionList.objects.order_by("pk").values_list(
                "pk", "status", "council_date", "resolution_number", "prepared_at"
            )
        ),
        list(PromotionEntry.objects.order_by("pk").values_list("pk", "outcome", "correction")),
        list(
            ClassificationGrade.objects.order_by("pk").values_list(
                "pk", "reason", "exam_allowed_on", "exam_grade"
            )
        ),
    )


def _refused():
    return [role for role, status in PRINCIPAL_ONLY.items() if status != 302]


def test_prepare_matrix(world, matrix):
    classify_4a(world)
    url = reverse("promotion:prepare", args=[world.school_class.pk])
    matrix.check(url, PRINCIPAL_ONLY, method="post", state=_state, roles=_refused())
    assert not PromotionList.objects.exists()
    matrix.check(url, PRINCIPAL_ONLY, method="post", roles=["principal"])
    assert PromotionEntry.objects.count() == 2


def test_decide_and_confirm_matrix(world, matrix):
    Scene(world).promotion_list  # noqa: B018
    decide = reverse("promotion:decide", args=[world.school_class.pk])
    data = {"council_date": timezone.localdate().isoformat(), "resolution_number": "7/2027"}
    matrix.check(decide, PRINCIPAL_ONLY, method="post", data=data, state=_state, roles=_refused())
    matrix.check(decide, PRINCIPAL_ONLY, method="post", data=data, roles=["principal"])
    assert PromotionList.objects.get().status == "decided"
    confirm = reverse("promotion:confirm", args=[world.school_class.pk])
    matrix.check(confirm, PRINCIPAL_ONLY, method="post", state=_state, roles=_refused())
    matrix.check(confirm, PRINCIPAL_ONLY, method="post", roles=["principal"])
    assert PromotionList.objects.get().status == "confirmed"


def test_correct_matrix(world, matrix):
    scene = Scene(world)
    entry = scene.promotion_entry
    PromotionList.objects.update(status="confirmed")
    url = reverse("promotion:correct", args=[entry.pk])
    data = {"outcome": "promoted", "basis": "Egzamin poprawkowy zdany"}
    matrix.check(url, PRINCIPAL_ONLY, method="post", data=data, state=_state, roles=_refused())
    matrix.check(url, PRINCIPAL_ONLY, method="post", data=data, roles=["principal"])
    entry.refresh_from_db()
    assert entry.outcome == "promoted" and "Egzamin poprawkowy zdany" in entry.correction


def test_unclassified_matrix(world, matrix):
    grade = Scene(world).unclassified_grade
    url = reverse("promotion:unclassified", args=[grade.pk])
    data = {"reason": "other", "reason_text": "Pobyt za granicą"}
    matrix.check(url, PRINCIPAL_ONLY, method="post", data=data, state=_state, roles=_refused())
    matrix.check(url, PRINCIPAL_ONLY, method="post", data=data, roles=["principal"])
    grade.refresh_from_db()
    assert (grade.reason, grade.reason_text) == ("other", "Pobyt za granicą")


def test_a_bad_decision_says_why_and_keeps_the_input(world):
    Scene(world).promotion_list  # noqa: B018
    response = world.client("principal").post(
        reverse("promotion:decide", args=[world.school_class.pk]),
        {"council_date": "", "resolution_number": "7/2027"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="promotion-errors"' in html and 'value="7/2027"' in html
    assert PromotionList.objects.get().status == "prepared"
