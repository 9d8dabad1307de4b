"""Answers saved before text was checked (issue 12) may hold a lone surrogate or a NUL
(SQLite stored JSON's "\\ud800" escape as it came). Each such character becomes U+FFFD,
so no page, report or grading task ever fails on one."""

from django.db import migrations

from config.text import data_problems, data_repair


def repair(apps, schema_editor):
    Answer = apps.get_model("interview", "Answer")
    for answer in Answer.objects.only("id", "payload", "feedback").iterator(chunk_size=500):
        changed = []
        for field in ("payload", "feedback"):
            value = getattr(answer, field)
            if value is not None and data_problems(value, max_int=2**200) is not None:
                setattr(answer, field, data_repair(value))
                changed.append(field)
        if changed:
            answer.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("interview", "0003_integrity_events")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
