"""Two flags the mail channel sets on an article: never answer it automatically (RFC 3834), and
its staff sender was not verified by the receiving server. Database defaults, so bulk loads
that name their columns keep working."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0012_category_routes_to_level_2")]
    operations = [
        migrations.AddField(
            model_name="article",
            name="no_auto_response",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="no automatic answer"
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="sender_unverified",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="sender not verified"
            ),
        ),
    ]
