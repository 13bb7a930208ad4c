from django.db import migrations

from assessments.default_actions import create_default_actions


def forwards(apps, schema_editor):
    create_default_actions(apps.get_model("assessments", "ActionTemplate"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_improvement_plans")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
