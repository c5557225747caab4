from django.urls import reverse


def test_pages_render(world, column):
    c = world.client("own_parent")
    r = c.get(reverse("grades:student", args=[world.student.pk]))
    assert r.status_code == 200, r.content[:3000]
    print(r.content.decode()[-6000:])
    t = world.client("teacher_in")
    r = t.get(reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk]))
    assert r.status_code == 200
    for name in ("analytics", "classification"):
        r = t.get(reverse(f"grades:{name}", args=[world.school_class.pk, world.subject.pk]))
        assert r.status_code == 200, name
    r = world.client("class_teacher").get(reverse("grades:behaviour", args=[world.school_class.pk]))
    assert r.status_code == 200
    r = world.client("principal").get(reverse("grades:settings"))
    assert r.status_code == 200
    r = c.get(reverse("grades:student_pdf", args=[world.student.pk]))
    assert r.status_code == 200
    r = c.get(reverse("core:home"))
    assert r.status_code == 200
    assert b"recent-grades" in r.content
