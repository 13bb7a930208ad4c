"""Anonymity at rest (services/mixing.py): a count of the anonymous ballots each case had at its last mix, and on
PostgreSQL a sequence of its own for anonymous sections and scores, so that the ids of named rows keep no gaps
that would date the anonymous rows between them."""

from django.db import migrations, models

# Far above anything the tables' own sequences reach, and below 2**53 so that any id stays exact in JavaScript.
ANONYMOUS_IDS_FROM = 10**15


def sequence_create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE SEQUENCE IF NOT EXISTS assessments_anonymous_row_seq START WITH {ANONYMOUS_IDS_FROM} "
            f"MINVALUE {ANONYMOUS_IDS_FROM}"
        )


def sequence_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS assessments_anonymous_row_seq")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_results_over_published"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="anonymous_mixed",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(sequence_create, sequence_drop, elidable=False),
    ]
