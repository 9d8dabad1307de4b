"""A grade records what it graded: the question version (its rubric) and the answer's text.

The grading core then never reads interview answers. Existing grades are filled from
their answers by grading 0009 (its own transaction: PostgreSQL cannot add the foreign key's
index in a transaction whose rows have pending trigger events); 0010 makes the version required.
"""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
