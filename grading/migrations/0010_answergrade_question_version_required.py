import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("grading", "0009_answergrade_fill_what_was_graded")]

    operations = [
        migrations.AlterField(
            model_name="answergrade",
            name="question_version",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="questions.questionversion"),
        ),
        migrations.AlterField(model_name="answergrade", name="answer_text", field=models.TextField(blank=True)),
    ]
