"""``{% load bank %}``: the bank's words as people read them (questions/names.py) and the
time a single-question practice gives (questions/timing.py).

``{{ question.track|track_name }}``, ``{{ question.kind|kind_name }}``,
``{{ version.difficulty|difficulty_name }}``, ``{{ topic.slug|topic_name }}``,
``{{ question|practice_minutes }}``.
"""

from django import template

from questions import names
from questions.models import Question
from questions.timing import single_question_minutes

register = template.Library()

register.filter("track_name", names.track_name)
register.filter("kind_name", names.kind_name)
register.filter("difficulty_name", names.difficulty_name)
register.filter("topic_name", names.topic_name)


@register.filter
def practice_minutes(question: Question) -> int:
    version = question.current_version
    return single_question_minutes(question.kind, version.time_estimate_minutes if version else None)
