"""The student a notification is about (an id, asked of the channel gates again when an
SMS or push falls due) and the delivery status ``withheld``."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_push_subscription"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="about",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="about the student"
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "queued"),
                    ("sent", "sent"),
                    ("delivered", "delivered"),
                    ("failed", "failed"),
                    ("expired", "expired"),
                    ("withheld", "not sent: no longer allowed"),
                ],
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
