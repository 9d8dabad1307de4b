"""Custom input and grader prompts stored before text was checked (issue 12) may hold a
lone surrogate or a NUL; each such character becomes U+FFFD."""

from django.db import migrations

from config.text import data_problems, data_repair


def _repair(model, fields):
    for row in model.objects.only("id", *fields).iterator(chunk_size=500):
        changed = [f for f in fields if getattr(row, f) is not None and data_problems(getattr(row, f), max_int=2**200) is not None]
        for field in changed:
            setattr(row, field, data_repair(getattr(row, field)))
        if changed:
            row.save(update_fields=changed)


def repair(apps, schema_editor):
    _repair(apps.get_model("grading", "Submission"), ["custom_input"])
    _repair(apps.get_model("grading", "AnswerGrade"), ["prompt", "criteria"])


class Migration(migrations.Migration):
    dependencies = [("grading", "0004_similarity_flag")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
