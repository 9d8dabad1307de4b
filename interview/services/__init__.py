"""Writes for interviews, one module per concern (docs/architecture.md):

- ``templates``: a recruiter's templates and the draw of a session's questions;
- ``invites``: assessment invitations;
- ``sessions``: start, the one rule for whether work is taken (``session_accepts_work``),
  finish and expiry;
- ``answers``: save, run and submit while time remains;
- ``scoring``: each answer to the grading core, each result back onto the answer, and
  the session's score;
- ``integrity``: the assessment page's integrity events;
- ``follow_ups``: the interviewer's follow-up questions and the replies to them.

The names below are the app's public write API, re-exported so that callers need not
know which module holds each.
"""

from interview.services.answers import (
    MAX_CODE_BYTES,
    MAX_TEXT_CHARS,
    answer_save,
    session_run_code,
    session_submit_code,
)
from interview.services.follow_ups import (
    FollowUpClosed,
    coding_follow_up_on_submission,
    follow_up_reply_save,
    follow_up_state,
    follow_ups_ask,
    follow_ups_due,
    written_answer_submit,
)
from interview.services.integrity import (
    MAX_EVENTS_PER_BATCH,
    MAX_EVENTS_PER_SESSION,
    EventsNotRecorded,
    integrity_events_record,
)
from interview.services.invites import assessment_invite_create, assessment_invite_get
from interview.services.question_practice import practice_start_question
from interview.services.scoring import (
    answer_follow_up_grade,
    answer_grade,
    answer_regrade,
    answer_rubric_grade,
    answer_rubric_grade_apply,
    answer_rubric_grade_waiting,
    answer_submission_finished,
    answers_follow_up_grade_pending,
    answers_rubric_grade_pending,
    session_score_update,
)
from interview.services.sessions import (
    GRACE_SECONDS,
    SessionClosed,
    assessment_start,
    practice_start,
    session_accepts_work,
    session_candidate_finish,
    session_expire_if_due,
    session_finish,
    session_time_is_up,
    sessions_finalize_expired,
)
from interview.services.templates import template_create, template_draw

__all__ = [
    "GRACE_SECONDS",
    "MAX_CODE_BYTES",
    "MAX_EVENTS_PER_BATCH",
    "MAX_EVENTS_PER_SESSION",
    "MAX_TEXT_CHARS",
    "EventsNotRecorded",
    "FollowUpClosed",
    "SessionClosed",
    "answer_follow_up_grade",
    "answer_grade",
    "answer_regrade",
    "answer_rubric_grade",
    "answer_rubric_grade_apply",
    "answer_rubric_grade_waiting",
    "answer_save",
    "answer_submission_finished",
    "answers_follow_up_grade_pending",
    "answers_rubric_grade_pending",
    "assessment_invite_create",
    "assessment_invite_get",
    "assessment_start",
    "coding_follow_up_on_submission",
    "follow_up_reply_save",
    "follow_up_state",
    "follow_ups_ask",
    "follow_ups_due",
    "integrity_events_record",
    "practice_start",
    "practice_start_question",
    "session_accepts_work",
    "session_candidate_finish",
    "session_expire_if_due",
    "session_finish",
    "session_run_code",
    "session_score_update",
    "session_submit_code",
    "session_time_is_up",
    "sessions_finalize_expired",
    "template_create",
    "template_draw",
    "written_answer_submit",
]
