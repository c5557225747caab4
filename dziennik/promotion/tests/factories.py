"""The annual classification of 4a for the promotion tests."""

from dziennik.grades import services as grades


def annual(world, student, subject, *, grade=None, outcome="", actor=None):
    """An annual (final) grade of ``student`` in ``subject``, in the year's last term."""
    teacher = actor or ("teacher_in" if subject == world.subject else "class_teacher")
    return grades.classification_grade_set(
        actor=world.user(teacher),
        student=student,
        school_class=world.school_class,
        subject=subject,
        term=world.term2,
        kind="final",
        is_proposal=False,
        grade=grade,
        outcome=outcome,
    )


def behaviour(world, student, value):
    return grades.behaviour_grade_set(
        actor=world.user("class_teacher"),
        student=student,
        school_class=world.school_class,
        term=world.term2,
        kind="final",
        value=value,
    )


def classify_4a(world):
    """Zofia: 5 and 5, behaviour wz (distinction); Kacper: 1 in Matematyka, 4 (no
    promotion)."""
    grades.grading_setup_defaults(school=world.school)
    annual(world, world.student, world.subject, grade=5)
    annual(world, world.student, world.other_subject, grade=5)
    behaviour(world, world.student, "wz")
    annual(world, world.classmate, world.subject, grade=1)
    annual(world, world.classmate, world.other_subject, grade=4)
    behaviour(world, world.classmate, "db")
