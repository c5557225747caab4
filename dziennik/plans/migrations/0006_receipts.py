"""Receipts: a number per school for every payment, the VAT rate of the day (None: the
school is exempt), and the school's NIP, REGON and VAT exemption."""

from decimal import Decimal

from django.db import migrations, models


def number_receipts(apps, schema_editor):
    """Existing payments get numbers per school in the order they were recorded, and the
    school's VAT rate (none when it is exempt)."""
    Payment = apps.get_model("plans", "Payment")
    PlanSettings = apps.get_model("plans", "PlanSettings")
    rates = {s.school_id: s.vat_rate for s in PlanSettings.objects.all()}
    counters: dict[int, int] = {}
    for payment in Payment.objects.order_by("school_id", "created_at", "id"):
        counters[payment.school_id] = counters.get(payment.school_id, 0) + 1
        payment.receipt_number = counters[payment.school_id]
        payment.vat_rate = rates.get(payment.school_id, Decimal("23.00"))
        payment.save(update_fields=["receipt_number", "vat_rate"])


class Migration(migrations.Migration):
    dependencies = [("plans", "0005_access_closed_on")]

    operations = [
        migrations.AddField(
            model_name="plansettings",
            name="vat_exempt",
            field=models.BooleanField(default=False, verbose_name="exempt from VAT"),
        ),
        migrations.AddField(
            model_name="plansettings",
            name="tax_id",
            field=models.CharField(blank=True, max_length=10, verbose_name="NIP"),
        ),
        migrations.AddField(
            model_name="plansettings",
            name="regon",
            field=models.CharField(blank=True, max_length=14, verbose_name="REGON"),
        ),
        migrations.AddField(
            model_name="payment",
            name="receipt_number",
            field=models.PositiveIntegerField(null=True, verbose_name="receipt number"),
        ),
        migrations.AddField(
            model_name="payment",
            name="vat_rate",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=4, null=True, verbose_name="VAT rate (%)"
            ),
        ),
        migrations.RunPython(number_receipts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="payment",
            name="receipt_number",
            field=models.PositiveIntegerField(verbose_name="receipt number"),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                fields=("school", "receipt_number"), name="payment_receipt_number_once"
            ),
        ),
    ]
