"""A grade records what it graded: the question version (its rubric) and the answer's text.

The grading core then never reads interview answers. Existing grades are filled from
their answers; grading 0009 makes the version required.
"""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    AnswerGrade = apps.get_model("grading", "AnswerGrade")
    db = schema_editor.connection.alias
    grades = AnswerGrade.objects.using(db).select_related("answer__session_question")
    for grade in grades.iterator(chunk_size=500):
        payload = grade.answer.payload if isinstance(grade.answer.payload, dict) else {}
        text = payload.get("text", "")
        grade.question_version_id = grade.answer.session_question.question_version_id
        grade.answer_text = text if isinstance(text, str) else ""
        grade.save(update_fields=["question_version", "answer_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0007_similarity_to_review"),
        ("interview", "0004_repair_unstorable_answers"),
        ("questions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="answergrade",
            name="question_version",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="questions.questionversion"
            ),
        ),
        migrations.AddField(model_name="answergrade", name="answer_text", field=models.TextField(blank=True, default="")),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
