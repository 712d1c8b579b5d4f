from django.db import migrations

from licensing.beat import Entry, install_from_migration

SCHEDULE = (
    Entry(
        "Webhooks: warn of API tokens about to expire",
        "licensing.api.tasks.announce_api_tokens_expiring",
        # Daily is enough: the warning comes days ahead, and each token is warned about once.
        minute="5",
        hour="6",
        description="Sends api_token.expiring once per token, API_TOKEN_EXPIRY_WARNING_DAYS before it expires.",
    ),
)


def install(apps, schema_editor):
    install_from_migration(apps, SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0004_token_expiry"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entry: an administrator may have changed it.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
