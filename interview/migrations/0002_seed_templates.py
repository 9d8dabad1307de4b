"""The public practice templates. Their sections draw by criteria, so they do not
depend on which questions the bank holds when this runs."""

from django.db import migrations

TEMPLATES = [
    ("python-dsa-screen", "Python/DSA screen (45 min)", 45, "Two coding problems: one easy, one medium, graded on hidden tests.", [
        ("Warm-up", None, {"draw_count": 1, "draw_track": "python_dsa", "draw_kind": "coding", "draw_difficulty": "easy"}),
        ("Main problem", None, {"draw_count": 1, "draw_track": "python_dsa", "draw_kind": "coding", "draw_difficulty": "medium"}),
    ]),
    ("ml-fundamentals", "ML fundamentals (30 min)", 30, "Concepts, numbers, a NumPy task and a short explanation.", [
        ("Concepts", None, {"draw_count": 3, "draw_track": "ml_fundamentals", "draw_kind": "multiple_choice"}),
        ("Numbers", None, {"draw_count": 2, "draw_track": "ml_fundamentals", "draw_kind": "numeric"}),
        ("NumPy", None, {"draw_count": 1, "draw_track": "ml_fundamentals", "draw_kind": "coding"}),
        ("Explain", None, {"draw_count": 1, "draw_track": "ml_fundamentals", "draw_kind": "free_text"}),
    ]),
    ("system-design", "System design (45 min)", 45, "One open design question, graded against a rubric.", [
        ("Design", None, {"draw_count": 1, "draw_track": "system_design", "draw_kind": "free_text"}),
    ]),
    ("full-loop", "Full loop (2 h)", 120, "Coding, ML fundamentals and system design, as in a full onsite loop.", [
        ("Coding", 45, {"draw_count": 2, "draw_track": "python_dsa", "draw_kind": "coding"}),
        ("ML fundamentals", 30, {"draw_count": 3, "draw_track": "ml_fundamentals", "draw_kind": "multiple_choice"}),
        ("System design", 45, {"draw_count": 1, "draw_track": "system_design", "draw_kind": "free_text"}),
    ]),
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
    apps.get_model("interview", "InterviewTemplate").objects.filter(organization__isnull=True, slug__in=[t[0] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("interview", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
