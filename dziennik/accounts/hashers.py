from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.utils.module_loading import import_string


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with minimal cost, for the test suite only (config.settings.test)."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


class LoginArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at one of OWASP's recommended costs (Password Storage Cheat Sheet:
    19 MiB of memory, 2 passes, 1 lane), for the passwords people choose.

    Django's default (100 MiB, 2 passes, 8 lanes) costs about 0.2 s of CPU per login
    and 100 MiB per login in progress; at 08:00, when a country's families log in at
    once, that is what limits a server (docs/production.md, "Passwords and the 08:00
    login storm"). This cost is about 25 ms of CPU and 19 MiB. A hash made at another
    cost still verifies (its parameters are stored in it) and is made again at this
    cost at the next successful login.
    """

    time_cost = 2
    memory_cost = 19456
    parallelism = 1


class OneTimeArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum cost (19 MiB, 2 passes, 1 lane), for the one-time
    passwords the register generates (credential letters, password resets).

    Django's default cost (100 MiB, 2 passes, 8 lanes) exists to slow down guessing of
    passwords people choose; a one-time password is 12 random characters from 43
    (about 65 bits, ``credentials.generate_password``), beyond guessing at any cost, and
    must be changed at the first login. Since logins use the same cost
    (``LoginArgon2PasswordHasher``) the two hashers differ in purpose only; at
    Django's default cost a class's letters spent 0.13–0.4 s per person on hashing
    alone (22–31 s for 70 letters); at this cost about 0.05 s. The hash is an ordinary
    ``argon2`` hash: the hashers in ``PASSWORD_HASHERS`` verify it as any other.
    """

    time_cost = 2
    memory_cost = 19456
    parallelism = 1


def one_time_password_hasher() -> Argon2PasswordHasher:
    """The hasher of one-time passwords (``settings.ONE_TIME_PASSWORD_HASHER``)."""
    return import_string(settings.ONE_TIME_PASSWORD_HASHER)()
