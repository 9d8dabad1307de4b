"""Interview templates, timed sessions, the questions each session drew, and answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization
from grading.models import Submission
from questions.bank_format import Difficulty, Kind, Track
from questions.models import Question, QuestionVersion


class InterviewTemplate(models.Model):
    """What an interview is made of: ordered sections, a total time limit."""

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="templates",
        help_text="Empty for public practice templates.",
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    total_minutes = models.PositiveIntegerField()
    shuffle_questions = models.BooleanField(default=False, help_text="Shuffle questions within each section.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)
    # The interviewer probes: follow-up questions on written answers and on accepted code.
    follow_ups = models.BooleanField(
        default=False, help_text="Ask follow-up questions on written answers and on accepted code (docs/grading.md)."
    )
    follow_up_minutes = models.PositiveSmallIntegerField(
        default=3, help_text="The time box of each follow-up question, in minutes (1 to 15)."
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=Q(organization__isnull=True), name="template_public_slug_unique"),
            models.UniqueConstraint(
                fields=["organization", "slug"], condition=Q(organization__isnull=False), name="template_org_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TemplateSection(models.Model):
    """Fixed questions, or a random draw by track, kind, difficulty and topics."""

    template = models.ForeignKey(InterviewTemplate, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Optional time limit for this section.")
    questions = models.ManyToManyField(Question, blank=True, related_name="+", help_text="Fixed questions, in this order.")
    draw_count = models.PositiveIntegerField(default=0, help_text="How many questions to draw at random (0: use the fixed ones).")
    draw_track = models.CharField(max_length=20, blank=True, choices=[(t.value, t.value) for t in Track])
    draw_kind = models.CharField(max_length=20, blank=True, choices=[(k.value, k.value) for k in Kind])
    draw_difficulty = models.CharField(max_length=10, blank=True, choices=[(d.value, d.value) for d in Difficulty])
    draw_topics = models.JSONField(default=list, blank=True, help_text="A drawn question has at least one of these topics.")

    class Meta:
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "position"], name="section_position_unique")]

    def __str__(self) -> str:
        return f"{self.template}: {self.title}"


class AssessmentInvite(models.Model):
    """A recruiter's single-use invitation for a candidate to take a template as an assessment."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="assessment_invites")
    template = models.ForeignKey(InterviewTemplate, on_delete=models.PROTECT, related_name="invites")
    email = models.EmailField()
    candidate_name = models.CharField(max_length=150, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The token lives only in the email: each send makes a new one (see assessment_invite_resend).
    send_count = models.PositiveIntegerField(default=1)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    STATUSES = ("pending", "used", "expired", "revoked")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.template}"

    @property
    def status(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class InterviewSession(models.Model):
    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice"
        ASSESSMENT = "assessment", "Assessment"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        FINISHED = "finished", "Finished"

    class FinishReason(models.TextChoices):
        CANDIDATE = "candidate", "Finished by the candidate"
        EXPIRED = "expired", "Time ran out"

    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interview_sessions")
    template = models.ForeignKey(InterviewTemplate, on_delete=models.PROTECT, related_name="sessions")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions")
    invite = models.OneToOneField(AssessmentInvite, null=True, blank=True, on_delete=models.PROTECT, related_name="session")
    mode = models.CharField(max_length=12, choices=Mode.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    finish_reason = models.CharField(max_length=12, choices=FinishReason.choices, blank=True)
    score = models.FloatField(null=True, blank=True)
    integrity_events_dropped = models.PositiveIntegerField(
        default=0, help_text="Integrity events refused because the session already had the maximum."
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            # One practice session of a template in progress at a time per candidate.
            models.UniqueConstraint(
                fields=["candidate", "template"],
                condition=Q(status="in_progress", mode="practice"),
                name="one_practice_in_progress",
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.template} ({self.status})"


class SessionQuestion(models.Model):
    """One question as this session drew it: the version is frozen at start."""

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    section_title = models.CharField(max_length=120)
    section_deadline = models.DateTimeField(null=True, blank=True)
    question_version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    option_order = models.JSONField(default=list, blank=True, help_text="Multiple choice: the shuffled option ids.")

    class Meta:
        ordering = ["session", "position"]
        constraints = [models.UniqueConstraint(fields=["session", "position"], name="session_question_position_unique")]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.position}"


class Answer(models.Model):
    """The last saved answer to a session question, and how it was graded."""

    class GradeStatus(models.TextChoices):
        UNGRADED = "ungraded", "Not graded yet"
        PENDING = "pending", "Being graded"
        GRADED = "graded", "Graded"

    session_question = models.OneToOneField(SessionQuestion, on_delete=models.CASCADE, related_name="answer")
    payload = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(default=timezone.now)
    grade_status = models.CharField(max_length=10, choices=GradeStatus.choices, default=GradeStatus.UNGRADED)
    score = models.FloatField(null=True, blank=True)
    feedback = models.JSONField(null=True, blank=True)
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Follow-ups (templates that opt in): a written answer submitted, or its section's time
    # over, no longer changes; the interviewer then decides its follow-ups (maybe none).
    submitted_at = models.DateTimeField(null=True, blank=True)
    follow_ups_asked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"answer to {self.session_question}"


class FollowUp(models.Model):
    """One follow-up question the interviewer asked on an answer, and the candidate's reply.

    The time box runs on the server's clock from ``asked_at`` to ``deadline``. A reply
    saved in time is graded against the criterion it probes; one that arrives later is
    kept (``late_reply``) and never graded (docs/grading.md, "Follow-ups")."""

    class Source(models.TextChoices):
        AUTHORED = "authored", "A probe the bank's authors wrote"
        LLM = "llm", "Written by the LLM from the answer"
        CODING = "coding", "The coding question's follow-up"

    class State(models.TextChoices):
        OPEN = "open", "Waiting for the reply"
        ANSWERED = "answered", "Answered in time"
        EMPTY = "empty", "No reply"
        LATE = "late", "Replied after the time box"
        FLAGGED = "flagged", "The reply tried to steer the grader"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="follow_ups")
    number = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)
    criterion_id = models.CharField(max_length=40)
    criterion_name = models.CharField(max_length=200)
    question = models.TextField()
    asked_at = models.DateTimeField()
    deadline = models.DateTimeField()
    reply = models.TextField(blank=True)
    reply_revision = models.PositiveIntegerField(default=0)
    reply_saved_at = models.DateTimeField(null=True, blank=True)
    late_reply = models.TextField(blank=True)
    late_reply_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)

    class Meta:
        ordering = ["answer", "number"]
        constraints = [models.UniqueConstraint(fields=["answer", "number"], name="follow_up_number_unique")]

    def __str__(self) -> str:
        return f"follow-up {self.number} on {self.answer}"


class IntegrityEvent(models.Model):
    """Something the assessment page saw the candidate do: paste, copy, leave or return.

    Only sizes are kept, never the pasted or copied text.
    """

    class Kind(models.TextChoices):
        PASTE = "paste", "Pasted"
        COPY = "copy", "Copied"
        FOCUS_LOST = "focus_lost", "Left the page"
        FOCUS_BACK = "focus_back", "Came back"
        QUESTION_SHOWN = "question_shown", "Opened a question"

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="integrity_events")
    position = models.PositiveIntegerField(null=True, blank=True, help_text="The question on screen, if any.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    chars = models.PositiveIntegerField(default=0, help_text="Size of a paste or copy; 0 for focus events.")
    at = models.DateTimeField(help_text="When it happened, by the browser's clock corrected to the server's.")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "at", "id"]
        indexes = [models.Index(fields=["session", "at"], name="integrity_event_session_at")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.kind} at {self.at:%H:%M:%S}"
