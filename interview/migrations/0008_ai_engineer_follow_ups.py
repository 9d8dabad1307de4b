"""The public "AI engineer screen" asks follow-ups: on its accepted code and its LLM design."""

from django.db import migrations


def opt_in(apps, schema_editor):
    apps.get_model("interview", "InterviewTemplate").objects.filter(
        organization__isnull=True, slug="ai-engineer-screen"
    ).update(follow_ups=True)


def opt_out(apps, schema_editor):
    apps.get_model("interview", "InterviewTemplate").objects.filter(
        organization__isnull=True, slug="ai-engineer-screen"
    ).update(follow_ups=False)


class Migration(migrations.Migration):
    dependencies = [("interview", "0007_follow_ups")]
    operations = [migrations.RunPython(opt_in, opt_out)]
