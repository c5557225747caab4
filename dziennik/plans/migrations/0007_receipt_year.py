"""Receipt numbers per school and calendar year of receipt: each payment keeps the
number it was given (they ran on across years until now) and gains the year it was
printed with (the year it was received), and (school, year, number) is unique. New
numbers start at 1 in a year without receipts (``services.receipt_fields``)."""

from django.db import migrations, models


def fill_years(apps, schema_editor):
    """The year each existing receipt was printed with: the year of ``received_on``."""
    Payment = apps.get_model("plans", "Payment")
    for year in Payment.objects.dates("received_on", "year"):
        Payment.objects.filter(received_on__year=year.year).update(receipt_year=year.year)


class Migration(migrations.Migration):
    dependencies = [("plans", "0006_receipts")]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="receipt_year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="receipt year"),
        ),
        migrations.RunPython(fill_years, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="payment",
            name="receipt_year",
            field=models.PositiveSmallIntegerField(verbose_name="receipt year"),
        ),
        migrations.RemoveConstraint(model_name="payment", name="payment_receipt_number_once"),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                fields=("school", "receipt_year", "receipt_number"),
                name="payment_receipt_number_once_a_year",
            ),
        ),
    ]
