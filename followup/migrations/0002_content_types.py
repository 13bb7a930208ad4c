from django.db import migrations

MOVED = [
    "actiontemplate",
    "improvementplan",
    "historicalimprovementplan",
    "action",
    "historicalaction",
    "progressupdate",
    "evidence",
    "feedbacktalk",
    "historicalfeedbacktalk",
]


def content_types_move(apps, schema_editor, *, old: str, new: str) -> None:
    """The moved models' content types change app label and keep their ids, so that the permissions granted
    on them (auth_permission points at the id), the admin's log and any generic relation keep working. Where
    the new label already has a row (a post_migrate ran in between), the old one is left for
    remove_stale_contenttypes rather than break the unique (app_label, model)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(ContentType.objects.using(db).filter(app_label=new, model__in=MOVED).values_list("model", flat=True))
    ContentType.objects.using(db).filter(app_label=old, model__in=set(MOVED) - taken).update(app_label=new)


def forwards(apps, schema_editor) -> None:
    content_types_move(apps, schema_editor, old="assessments", new="followup")


def backwards(apps, schema_editor) -> None:
    content_types_move(apps, schema_editor, old="followup", new="assessments")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("followup", "0001_initial"),
        ("assessments", "0009_followup_moved_out"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
