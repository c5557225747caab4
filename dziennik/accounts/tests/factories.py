import factory

from dziennik.accounts.models import User

TEST_PASSWORD = "Test-haslo-123!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="pl_PL")
    last_name = factory.Faker("last_name", locale="pl_PL")
    password = factory.django.Password(TEST_PASSWORD)
    is_active = True
