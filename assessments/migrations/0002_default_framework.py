from django.db import migrations

from assessments.default_framework import create_default_framework


def forwards(apps, schema_editor):
    create_default_framework(
        apps.get_model("assessments", "Framework"),
        apps.get_model("assessments", "Dimension"),
        apps.get_model("assessments", "Indicator"),
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
