"""Rotate the register's LTI signing key (docs/lti.md): a new key signs from now on; the
old one stays in the JWKS for LTI_KEY_GRACE_SECONDS."""

from django.core.management.base import BaseCommand

from dziennik.lti import keys


class Command(BaseCommand):
    help = "Make a new LTI signing key; the old one stays published for the grace period."

    def handle(self, *args, **options):
        key = keys.rotate()
        self.stdout.write(f"New LTI signing key: kid {key.kid}")
