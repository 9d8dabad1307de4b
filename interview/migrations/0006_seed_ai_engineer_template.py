"""The public "AI engineer screen": the layers an AI engineer is interviewed on, in an
hour. Its sections draw by criteria, as the other public templates do."""

from django.db import migrations

# The topics that make a question part of the deep learning and LLM layer.
DEEP_LEARNING_TOPICS = [
    "transformers",
    "attention",
    "llm",
    "optimizers",
    "deep-learning",
    "backpropagation",
    "decoding",
    "fine-tuning",
    "tokenization",
    "quantization",
    "alignment",
]

TEMPLATES = [
    (
        "ai-engineer-screen",
        "AI engineer screen (60 min)",
        60,
        "A coding problem, ML and deep-learning questions, and an LLM system design: the layers an AI engineer loop tests.",
        [
            ("Coding", 20, {"draw_count": 1, "draw_track": "python_dsa", "draw_kind": "coding", "draw_difficulty": "medium"}),
            (
                "ML and deep learning",
                15,
                {
                    "draw_count": 3,
                    "draw_track": "ml_fundamentals",
                    "draw_kind": "multiple_choice",
                    "draw_topics": DEEP_LEARNING_TOPICS,
                },
            ),
            (
                "LLM system design",
                25,
                {"draw_count": 1, "draw_track": "system_design", "draw_kind": "free_text", "draw_topics": ["llm"]},
            ),
        ],
    ),
]


def seed(apps, schema_editor):
    Template = apps.get_model("interview", "InterviewTemplate")
    Section = apps.get_model("interview", "TemplateSection")
    for slug, title, minutes, description, sections in TEMPLATES:
        if Template.objects.filter(organization__isnull=True, slug=slug).exists():
            continue
        template = Template.objects.create(slug=slug, title=title, total_minutes=minutes, description=description)
        for position, (section_title, section_minutes, draw) in enumerate(sections, start=1):
            Section.objects.create(template=template, position=position, title=section_title, minutes=section_minutes, **draw)


def unseed(apps, schema_editor):
    apps.get_model("interview", "InterviewTemplate").objects.filter(
        organization__isnull=True, slug__in=[t[0] for t in TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("interview", "0005_invite_resend_revoke")]
    operations = [migrations.RunPython(seed, unseed)]
