"""SimilarityFlag and SimilarityCheck now belong to the review app (review 0001): state only.

Their tables stay where they are, under their old names; no SQL runs.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0006_similarity_check"),
        ("review", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="SimilarityFlag"), migrations.DeleteModel(name="SimilarityCheck")],
        ),
    ]
