from django import forms

from config.forms import TextField
from questions.bank_format import Difficulty, Kind, Track

ANY = [("", "any")]


class TemplateForm(forms.Form):
    title = TextField(max_length=200)
    description = TextField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    total_minutes = forms.IntegerField(min_value=1, max_value=480, initial=45)
    shuffle_questions = forms.BooleanField(required=False)


class SectionForm(forms.Form):
    """One section drawn at random from the bank (fixed questions: use the API)."""

    title = TextField(max_length=120, required=False)
    minutes = forms.IntegerField(min_value=1, max_value=240, required=False)
    draw_count = forms.IntegerField(min_value=1, max_value=20, required=False, label="Questions")
    draw_track = forms.ChoiceField(choices=ANY + [(t.value, t.value) for t in Track], required=False, label="Track")
    draw_kind = forms.ChoiceField(choices=ANY + [(k.value, k.value) for k in Kind], required=False, label="Kind")
    draw_difficulty = forms.ChoiceField(
        choices=ANY + [(d.value, d.value) for d in Difficulty], required=False, label="Difficulty"
    )


SectionFormSet = forms.formset_factory(SectionForm, extra=3, max_num=10)
