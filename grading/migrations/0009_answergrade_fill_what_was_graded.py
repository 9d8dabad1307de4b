"""Fills the new AnswerGrade fields from each grade's answer (see 0008)."""

from django.db import migrations


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
    dependencies = [("grading", "0008_answergrade_what_was_graded")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
