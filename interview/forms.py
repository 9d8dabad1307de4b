"""The recruiter's template editor: the template's own fields, and a formset of any
number of sections (up to MAX_SECTIONS), each fixed questions picked by title or a draw."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from config.forms import TextField
from interview.services.templates import MAX_SECTIONS
from questions.bank_format import Difficulty, Kind, Track
from questions.names import difficulty_name, kind_name, topic_name, track_name
from questions.selectors import questions_visible_to, topic_list

FIXED, DRAW = "fixed", "draw"


def _any(word: str) -> list[tuple[str, str]]:
    return [("", f"Any {word}")]


TRACK_CHOICES = [(t.value, track_name(t.value)) for t in Track]
KIND_CHOICES = [(k.value, kind_name(k.value)) for k in Kind]
DIFFICULTY_CHOICES = [(d.value, difficulty_name(d.value)) for d in Difficulty]


class TemplateForm(forms.Form):
    title = TextField(max_length=200)
    description = TextField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    total_minutes = forms.IntegerField(min_value=1, max_value=480, initial=45, label="Total minutes")
    shuffle_questions = forms.BooleanField(
        required=False,
        label="Shuffle fixed questions",
        help_text="Each candidate gets a section's fixed questions in a different order.",
    )
    follow_ups = forms.BooleanField(
        required=False,
        label="Ask follow-up questions",
        help_text="After a written answer is submitted (or its section's time runs out) the interviewer asks one or "
        "two follow-ups on its weakest points; after accepted code, one on complexity and edge cases.",
    )
    follow_up_minutes = forms.IntegerField(
        min_value=1,
        max_value=15,
        initial=3,
        required=False,
        label="Minutes per follow-up",
        help_text="Each follow-up's own time box (3 if left empty).",
    )


def question_choices(user: User) -> tuple[list[tuple[str, list[tuple[str, str]]]], dict[str, str]]:
    """The questions a recruiter may put in a template, grouped by track, labelled
    "Title (kind, difficulty)"; and each one's track."""
    groups: dict[str, list[tuple[str, str]]] = {}
    tracks: dict[str, str] = {}
    questions = questions_visible_to(user).select_related("current_version").order_by("track", "current_version__title", "id")
    for question in questions:
        version = question.current_version
        label = f"{version.title} ({kind_name(question.kind)}, {difficulty_name(version.difficulty).lower()})"
        groups.setdefault(question.track, []).append((str(question.id), label))
        tracks[str(question.id)] = question.track
    ordered = [(track_name(t.value), groups[t.value]) for t in Track if t.value in groups]
    ordered += [(track_name(name), items) for name, items in groups.items() if name not in {t.value for t in Track}]
    return ordered, tracks


def topic_choices(user: User) -> list[tuple[str, str]]:
    return sorted(((t.slug, topic_name(t.slug)) for t in topic_list(user=user)), key=lambda choice: choice[1].lower())


class SectionForm(forms.Form):
    """One section: fixed questions picked from the bank by title, or a random draw."""

    title = TextField(
        max_length=120, required=False, label="Section title", help_text="Shown to the candidate. Empty: “Section N”."
    )
    minutes = forms.IntegerField(
        min_value=1, max_value=240, required=False, label="Time limit (minutes)", help_text="Empty: no limit of its own."
    )
    source = forms.ChoiceField(
        choices=[(DRAW, "Draw questions at random from the bank"), (FIXED, "Use questions I pick")],
        widget=forms.RadioSelect,
        required=False,
        label="Questions",
    )
    questions = forms.MultipleChoiceField(required=False, label="Questions to use", widget=forms.CheckboxSelectMultiple)
    draw_count = forms.IntegerField(min_value=1, max_value=20, required=False, label="How many to draw")
    draw_track = forms.ChoiceField(choices=_any("track") + TRACK_CHOICES, required=False, label="Track to draw from")
    draw_kind = forms.ChoiceField(choices=_any("kind") + KIND_CHOICES, required=False, label="Kind of question")
    draw_difficulty = forms.ChoiceField(choices=_any("difficulty") + DIFFICULTY_CHOICES, required=False, label="Difficulty")
    draw_topics = forms.MultipleChoiceField(
        required=False,
        label="Topics",
        help_text="A drawn question has at least one of these. None chosen: any topic.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(
        self,
        *args: Any,
        questions: list[tuple[str, list[tuple[str, str]]]] = (),  # type: ignore[assignment]
        question_tracks: dict[str, str] | None = None,
        topics: list[tuple[str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.question_groups_choices = list(questions)
        self.question_tracks = question_tracks or {}
        self.fields["questions"].choices = list(questions)
        self.fields["draw_topics"].choices = list(topics)
        self.fields["source"].initial = DRAW

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        picked = data.get("questions") or []
        source = data.get("source") or (FIXED if picked else DRAW)
        data["source"] = source
        entered = data.get("title") or data.get("minutes") or data.get("draw_count") or picked
        data["blank"] = not entered
        if data["blank"] or self.errors:
            return data
        if source == FIXED and not picked:
            self.add_error("questions", "Pick at least one question, or draw them at random instead.")
        if source == DRAW and not data.get("draw_count"):
            self.add_error("draw_count", "Say how many questions to draw, or pick questions instead.")
        return data

    def question_groups(self) -> list[dict[str, Any]]:
        """The question checkboxes by track, for the template to render as fieldsets."""
        picked = {str(v) for v in (self["questions"].value() or [])}
        base = self["questions"].auto_id
        groups, n = [], 0
        for name, options in self.question_groups_choices:
            items = []
            for value, label in options:
                items.append({"value": value, "label": label, "checked": value in picked, "id": f"{base}_{n}"})
                n += 1
            track = self.question_tracks.get(options[0][0], "") if options else ""
            groups.append({"name": name, "track": track, "options": items})
        return groups

    def as_service_data(self, number: int) -> dict[str, Any]:
        """This section as template_create and template_update take it."""
        data = self.cleaned_data
        drawn = data["source"] == DRAW
        return {
            "title": data.get("title") or f"Section {number}",
            "minutes": data.get("minutes"),
            "questions": [] if drawn else [int(i) for i in data.get("questions") or []],
            "draw_count": (data.get("draw_count") or 0) if drawn else 0,
            "draw_track": data.get("draw_track", "") if drawn else "",
            "draw_kind": data.get("draw_kind", "") if drawn else "",
            "draw_difficulty": data.get("draw_difficulty", "") if drawn else "",
            "draw_topics": list(data.get("draw_topics") or []) if drawn else [],
        }


def section_initial(data: dict[str, Any], position: int) -> dict[str, Any]:
    """A stored section (template_sections_data) as the form's initial values."""
    return {
        "title": data["title"],
        "minutes": data["minutes"],
        "source": DRAW if data["draw_count"] else FIXED,
        "questions": [str(i) for i in data["questions"]],
        "draw_count": data["draw_count"] or None,
        "draw_track": data["draw_track"],
        "draw_kind": data["draw_kind"],
        "draw_difficulty": data["draw_difficulty"],
        "draw_topics": data["draw_topics"],
        "ORDER": position,
    }


class BaseSectionFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": f"A template has at most {MAX_SECTIONS} sections. Remove one to add another.",
        "too_few_forms": "A template needs at least one section.",
    }

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["ORDER"].help_text = "Sections are sorted by this number."
        form.fields["ORDER"].widget.attrs.update({"min": 1, "max": MAX_SECTIONS, "class": "section-order"})
        form.fields["DELETE"].label = "Remove this section"
        form.fields["DELETE"].widget.attrs["class"] = "section-delete"

    def forms_in_order(self) -> list[SectionForm]:
        """Every form as the editor shows it: by its Position as entered, then as listed,
        so a re-rendered form (an error, a preview, one more section) keeps the order chosen."""

        def position(item: tuple[int, forms.Form]) -> tuple[int, int]:
            raw = str(item[1]["ORDER"].value() or "")
            return (int(raw) if raw.isdigit() else MAX_SECTIONS + 1, item[0])

        return [form for _, form in sorted(enumerate(self.forms), key=position)]

    def sections(self) -> list[SectionForm]:
        """The kept sections in their chosen order (by position, then as listed), blank
        and removed ones left out. Like ordered_forms, but usable inside clean()."""
        kept = []
        for i, form in enumerate(self.forms):
            if i >= self.initial_form_count() and not form.has_changed():
                continue
            if self._should_delete_form(form) or form.cleaned_data.get("blank", True):
                continue
            kept.append((form.cleaned_data.get("ORDER") or MAX_SECTIONS + 1, i, form))
        return [form for _, _, form in sorted(kept, key=lambda item: item[:2])]

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms if not self._should_delete_form(form)):
            return
        if not self.sections():
            raise ValidationError("Fill in at least one section.", code="no_sections")


SectionFormSet = forms.formset_factory(
    SectionForm,
    formset=BaseSectionFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_SECTIONS,
    absolute_max=MAX_SECTIONS + 1,
    validate_max=True,
    can_order=True,
    can_delete=True,
)


def section_formset(user: User, data: Any = None, *, initial: list[dict[str, Any]] | None = None) -> BaseSectionFormSet:
    """The sections formset for ``user``: the questions and topics they may choose from."""
    questions, tracks = question_choices(user)
    return SectionFormSet(
        data,
        initial=initial,
        prefix="sections",
        form_kwargs={"questions": questions, "question_tracks": tracks, "topics": topic_choices(user)},
    )
