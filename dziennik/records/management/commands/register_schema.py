"""``manage.py register_schema``: write the register's XSD from ``records/xml_export.py``."""

from django.core.management.base import BaseCommand

from dziennik.records.xml_export import schema_document
from dziennik.records.xml_import import SCHEMA_PATH


class Command(BaseCommand):
    help = "Write dziennik/records/schema/dziennik-<version>.xsd from the export's table."

    def handle(self, *args, **opts):
        SCHEMA_PATH.write_bytes(schema_document())
        self.stdout.write(f"Wrote {SCHEMA_PATH}")
