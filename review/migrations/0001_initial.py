"""The similarity models move here from grading with their tables: state only, no SQL.

grading 0007 removes them from grading's state after this adds them to review's; the
tables ``grading_similarityflag`` and ``grading_similaritycheck`` and their rows stay
as they are (``db_table``). Content types and permissions follow the models.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MODELS = ("similarityflag", "similaritycheck")


def content_types_move(apps, schema_editor, *, source="grading", target="review"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        # A content type already made for the target (a migrate run before this one) gives way.
        if ContentType.objects.using(db).filter(app_label=source, model=model).exists():
            ContentType.objects.using(db).filter(app_label=target, model=model).delete()
        ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def content_types_back(apps, schema_editor):
    content_types_move(apps, schema_editor, source="review", target="grading")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("grading", "0006_similarity_check"),
        ("interview", "0004_repair_unstorable_answers"),
        ("questions", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="SimilarityFlag",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=10)),
                        ("similarity", models.FloatField()),
                        ("regions", models.JSONField(default=list)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "answer_a",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="interview.answer"
                            ),
                        ),
                        (
                            "answer_b",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="interview.answer"
                            ),
                        ),
                        (
                            "question",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="questions.question"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "grading_similarityflag",
                        "ordering": ["-similarity"],
                        "constraints": [models.UniqueConstraint(fields=("answer_a", "answer_b"), name="similarity_pair_unique")],
                    },
                ),
                migrations.CreateModel(
                    name="SimilarityCheck",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("checked_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("flags", models.PositiveIntegerField(default=0)),
                        (
                            "answer",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="similarity_check",
                                to="interview.answer",
                            ),
                        ),
                    ],
                    options={"db_table": "grading_similaritycheck"},
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_back, elidable=True),
    ]
