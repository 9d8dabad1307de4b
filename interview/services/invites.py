"""Assessment invitations: a recruiter invites a candidate by email to take a template,
one or many at a time, sends a lost invitation again, or revokes it."""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone

from accounts.models import User, invite_token_hash
from config.errors import ApplicationError, ConflictError, NotFoundError
from config.text import text_problem
from interview.models import AssessmentInvite, InterviewTemplate

# A batch is one recruiter's paste or spreadsheet, not a mailing list: bounded, so that one
# request stays quick and one mistake does not email thousands of people.
BULK_MAX_ROWS = 500
# Below the server's request body limit (settings.REQUEST_BODY_MAX_BYTES, 512 KB), with
# room for the form's other fields and the multipart envelope: what the page promises is
# what the server accepts.
BULK_MAX_BYTES = min(1024 * 1024, settings.REQUEST_BODY_MAX_BYTES - 64 * 1024)
# A line is "Name, email": a longer one is refused before any parsing (no regex or CSV
# reader ever sees a huge line).
LINE_MAX_CHARS = 1000
NAME_MAX_CHARS = AssessmentInvite._meta.get_field("candidate_name").max_length
EMAIL_MAX_CHARS = 254  # RFC 5321's path limit; EmailValidator alone lets 320 through
# Most invitations one organization may create in a day (settings override).
INVITES_PER_ORG_PER_DAY = 1000
RESEND_COOLDOWN_SECONDS = 60
RESEND_MAX_SENDS = 5

_validate_email = EmailValidator()
# "Name <email>", the form a mail client copies. Linear: no lazy group next to \s*, the
# spaces are stripped in Python.
_ANGLE = re.compile(r"^(?P<name>[^<>]*)<(?P<email>[^<>]+)>\s*$")
_SEPARATORS = (",", ";", "\t")


def size_label(size: int) -> str:
    """A byte count as people read it: "448 KB", "1 MB"."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    return f"{size // 1024} KB"


def candidate_name_clean(name: str) -> str:
    """A name on one line: every run of whitespace (newlines too) one space, at most
    ``NAME_MAX_CHARS`` long, so that no name can add lines to the invitation email."""
    return " ".join(name.split())[:NAME_MAX_CHARS].strip()


@dataclass(frozen=True)
class Candidate:
    email: str
    name: str = ""


@dataclass(frozen=True)
class LineError:
    line: int
    text: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _queue_unavailable(exc: Exception, what: str) -> ApplicationError:
    return ApplicationError(
        f"the invitation email could not be queued, so {what}; try again in a minute",
        code="queue_unavailable",
        status_code=503,
    )


def _enqueue_email(invite_id: int, token: str) -> None:
    from interview.tasks import assessment_invite_email_send

    assessment_invite_email_send.delay(invite_id, token)


def _check_may_invite(invited_by: User, template: InterviewTemplate) -> None:
    # The same templates as interview.selectors.templates_visible_to: the organization's
    # active ones and the public ones.
    if (
        not invited_by.is_recruiter
        or not template.is_active
        or template.organization_id not in (None, invited_by.organization_id)
    ):
        raise NotFoundError("no such template")


def _check_daily_cap(invited_by: User, adding: int) -> None:
    """Refuses, before anything is made or sent, invitations beyond the organization's
    daily budget (``ASSESSMENT_INVITES_PER_ORG_PER_DAY``, over the last 24 hours)."""
    cap = getattr(settings, "ASSESSMENT_INVITES_PER_ORG_PER_DAY", INVITES_PER_ORG_PER_DAY)
    since = timezone.now() - timedelta(days=1)
    made = AssessmentInvite.objects.filter(organization_id=invited_by.organization_id, created_at__gte=since).count()
    if made + adding > cap:
        left = max(0, cap - made)
        raise ApplicationError(
            f"your organization may send at most {cap} invitations a day and has {left} left today "
            f"({adding} asked); nobody was invited",
            code="invite_daily_limit",
            status_code=429,
        )


def _invite_build(
    *, invited_by: User, template: InterviewTemplate, email: str, candidate_name: str
) -> tuple[AssessmentInvite, str]:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invite = AssessmentInvite(
        organization=invited_by.organization,
        template=template,
        email=User.objects.normalize_email(email).lower(),
        candidate_name=candidate_name_clean(candidate_name),
        token_hash=invite_token_hash(token),
        invited_by=invited_by,
        created_at=now,
        last_sent_at=now,
        expires_at=now + timedelta(hours=settings.ASSESSMENT_INVITE_TTL_HOURS),
    )
    invite.full_clean()
    return invite, token


def assessment_invite_create(
    *, invited_by: User, template: InterviewTemplate, email: str, candidate_name: str = ""
) -> tuple[AssessmentInvite, str]:
    """Invites one candidate and queues the email with the link (the only copy of the token)."""
    _check_may_invite(invited_by, template)
    problem = _email_problem(email.strip())
    if problem:
        raise ApplicationError(problem, code="invalid", fields={"email": [problem]})
    problem = text_problem(candidate_name)
    if problem:
        raise ApplicationError(f"the name {problem}", code="invalid", fields={"candidate_name": [f"the name {problem}"]})
    _check_daily_cap(invited_by, 1)
    invite, token = _invite_build(invited_by=invited_by, template=template, email=email.strip(), candidate_name=candidate_name)
    invite.save()
    try:
        _enqueue_email(invite.id, token)
    except Exception as exc:
        # The token exists only in the email: an invite whose email was never queued could
        # never be used, and no sweep can send it again. It is undone and said, not lost.
        invite.delete()
        raise _queue_unavailable(exc, "no invitation was made") from exc
    return invite, token


def assessment_invite_get(*, token: str) -> AssessmentInvite:
    invite = (
        AssessmentInvite.objects.select_related("template", "organization").filter(token_hash=invite_token_hash(token)).first()
    )
    if invite is None:
        raise NotFoundError("this assessment link is not valid", code="invite_invalid")
    return invite


# -- many at once ---------------------------------------------------------------------------


def _email_problem(email: str) -> str | None:
    if not email:
        return "no email address"
    problem = text_problem(email)
    if problem:
        return f"the email address {problem}"
    if len(email) > EMAIL_MAX_CHARS:
        return f"the email address is longer than {EMAIL_MAX_CHARS} characters"
    try:
        _validate_email(email)
    except ValidationError:
        return f"“{email}” is not a valid email address"
    return None


def _candidate_check(line: int, text: str, email: str, name: str) -> Candidate | LineError:
    email = email.strip()
    problem = _email_problem(email)
    if problem:
        return LineError(line, text, problem)
    name_problem = text_problem(name)
    if name_problem:
        return LineError(line, text, f"the name {name_problem}")
    name = " ".join(name.split())
    if len(name) > NAME_MAX_CHARS:
        return LineError(line, text, f"the name is longer than {NAME_MAX_CHARS} characters")
    return Candidate(email=User.objects.normalize_email(email).lower(), name=name)


def _too_long(line: int, text: str) -> LineError:
    return LineError(line, text[:80] + "…", f"line {line} is too long (more than {LINE_MAX_CHARS} characters)")


def _duplicates(found: list[tuple[int, str, Candidate]]) -> list[LineError]:
    first_line: dict[str, int] = {}
    errors = []
    for line, text, candidate in found:
        if candidate.email in first_line:
            errors.append(LineError(line, text, f"{candidate.email} is already on line {first_line[candidate.email]}"))
        else:
            first_line[candidate.email] = line
    return errors


def _too_many(count: int) -> list[LineError]:
    return [LineError(BULK_MAX_ROWS + 1, "", f"at most {BULK_MAX_ROWS} candidates at a time ({count} given)")]


def invite_lines_parse(text: str) -> tuple[list[Candidate], list[LineError]]:
    """Candidates from pasted lines: "Name, email", "email" or "Name <email>"; blank lines
    are skipped. Every bad line is reported with its number; candidates are the good ones."""
    if len(text.encode()) > BULK_MAX_BYTES:
        return [], [LineError(1, "", f"the text is larger than {size_label(BULK_MAX_BYTES)}")]
    found: list[tuple[int, str, Candidate]] = []
    errors: list[LineError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if len(raw) > LINE_MAX_CHARS:
            errors.append(_too_long(number, raw))
            continue
        if not raw.strip():
            continue
        angle = _ANGLE.match(raw)
        if angle:
            result = _candidate_check(number, raw, angle["email"], angle["name"].strip().strip(' ,"'))
        else:
            # A real CSV reader, so that "Smith, Jane", jane@example.com keeps its comma.
            try:
                cells = [cell.strip() for cell in next(csv.reader([raw], skipinitialspace=True), [])]
            except csv.Error as exc:
                errors.append(LineError(number, raw, f"not a valid line ({exc})"))
                continue
            cells = [cell for cell in cells if cell]
            if len(cells) == 1:
                result = _candidate_check(number, raw, cells[0], "")
            elif len(cells) == 2:
                result = _candidate_check(number, raw, cells[1], cells[0])
            else:
                result = LineError(number, raw, "write “Name, email”, “email” or “Name <email>”")
        if isinstance(result, LineError):
            errors.append(result)
        else:
            found.append((number, raw, result))
    if len(found) + len(errors) > BULK_MAX_ROWS:
        return [], _too_many(len(found) + len(errors))
    errors = sorted(errors + _duplicates(found), key=lambda error: error.line)
    return [candidate for _, _, candidate in found], errors


def invite_candidates_check(pairs: list[tuple[str, str]]) -> tuple[list[Candidate], list[LineError]]:
    """The same checks for (email, name) pairs given as data (the API); item 1 is line 1."""
    if len(pairs) > BULK_MAX_ROWS:
        return [], _too_many(len(pairs))
    found: list[tuple[int, str, Candidate]] = []
    errors: list[LineError] = []
    for number, (email, name) in enumerate(pairs, start=1):
        result = _candidate_check(number, email, email, name)
        if isinstance(result, LineError):
            errors.append(result)
        else:
            found.append((number, email, result))
    errors = sorted(errors + _duplicates(found), key=lambda error: error.line)
    return [candidate for _, _, candidate in found], errors


def _csv_header(text: str) -> tuple[Any, list[str]]:
    """A reader past the header row, and the header, for the first separator among
    , ; and tab whose header has an "email" column (European Excel writes ";")."""
    first_line = text.split("\n", 1)[0]
    try:
        sniffed = csv.Sniffer().sniff(first_line, delimiters="".join(_SEPARATORS)).delimiter
    except csv.Error:
        sniffed = ","
    header: list[str] = []
    for delimiter in dict.fromkeys((sniffed, *_SEPARATORS)):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            header = [cell.strip().lower() for cell in next(reader, [])]
        except csv.Error as exc:
            return None, [str(exc)]
        if "email" in header:
            return reader, header
    return csv.reader(io.StringIO(text, newline="")), header


def invite_csv_parse(content: bytes) -> tuple[list[Candidate], list[LineError]]:
    """Candidates from a CSV file whose header row has ``email`` and optionally ``name``.
    Line numbers count the header as line 1, as a spreadsheet shows them."""
    if len(content) > BULK_MAX_BYTES:
        return [], [LineError(1, "", f"the file is larger than {size_label(BULK_MAX_BYTES)}")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [LineError(1, "", "the file is not UTF-8 text; save it as “CSV UTF-8”")]
    for number, raw in enumerate(text.splitlines(), start=1):
        if len(raw) > LINE_MAX_CHARS:
            return [], [_too_long(number, raw)]
    reader, header = _csv_header(text)
    if reader is None:
        return [], [LineError(1, "", f"not a CSV file ({header[0]})")]
    if "email" not in header:
        return [], [LineError(1, ",".join(header), "the first row must name the columns, with one called “email”")]
    email_at = header.index("email")
    name_at = header.index("name") if "name" in header else None
    found: list[tuple[int, str, Candidate]] = []
    errors: list[LineError] = []
    try:
        for cells in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            raw = ",".join(cells)
            if len(found) + len(errors) >= BULK_MAX_ROWS:
                return [], _too_many(sum(1 for _ in reader) + BULK_MAX_ROWS + 1)
            email = cells[email_at] if email_at < len(cells) else ""
            name = cells[name_at] if name_at is not None and name_at < len(cells) else ""
            result = _candidate_check(number, raw, email, name)
            if isinstance(result, LineError):
                errors.append(result)
            else:
                found.append((number, raw, result))
    except csv.Error as exc:
        errors.append(LineError(reader.line_num, "", f"not valid CSV ({exc})"))
    errors = sorted(errors + _duplicates(found), key=lambda error: error.line)
    return [candidate for _, _, candidate in found], errors


def assessment_invites_bulk_create(
    *, invited_by: User, template: InterviewTemplate, candidates: list[Candidate]
) -> list[AssessmentInvite]:
    """Invites every candidate, or none: one transaction, emails queued once it commits.

    Duplicate addresses are refused (the caller's parse reports them by line). If the queue
    fails part-way, the invitations whose email was not queued are deleted and said.
    """
    _check_may_invite(invited_by, template)
    if not candidates:
        raise ApplicationError("no candidates to invite", code="invalid", fields={"candidates": ["add at least one"]})
    if len(candidates) > BULK_MAX_ROWS:
        raise ApplicationError(f"at most {BULK_MAX_ROWS} candidates at a time", code="invalid")
    emails = [User.objects.normalize_email(c.email).lower() for c in candidates]
    if len(set(emails)) != len(emails):
        raise ApplicationError("the same email address is in the list twice", code="invalid")
    _check_daily_cap(invited_by, len(candidates))
    built = [_invite_build(invited_by=invited_by, template=template, email=c.email, candidate_name=c.name) for c in candidates]
    with transaction.atomic():
        invites = AssessmentInvite.objects.bulk_create([invite for invite, _ in built])

        def enqueue() -> None:
            for index, (invite, token) in enumerate(built):
                try:
                    _enqueue_email(invite.id, token)
                except Exception as exc:
                    # As for one invite: those whose email was not queued could never be
                    # used. Undo them (the queue rarely fails in the middle of a batch).
                    unsent = [i for i, _ in built[index:]]
                    AssessmentInvite.objects.filter(id__in=[i.id for i in unsent]).delete()
                    made = f"{index} of {len(built)} invitations were sent" if index else "no invitation was made"
                    raise _queue_unavailable(exc, f"{made}; not invited: {', '.join(i.email for i in unsent)}") from exc

        transaction.on_commit(enqueue)
    return invites


# -- resend and revoke ----------------------------------------------------------------------


def _invite_lock(*, by: User, invite_id: int) -> AssessmentInvite:
    if not by.is_recruiter:
        raise NotFoundError("no such invitation")
    invite = (
        AssessmentInvite.objects.select_for_update()
        .filter(id=invite_id, organization_id=by.organization_id)
        .select_related("template")
        .first()
    )
    if invite is None:
        raise NotFoundError("no such invitation")
    return invite


def _check_may_resend(invite: AssessmentInvite) -> None:
    """A lost email may be sent again, but not in a loop: not twice within the cooldown
    (``ASSESSMENT_INVITE_RESEND_COOLDOWN_SECONDS``) and at most ``RESEND_MAX_SENDS`` times."""
    if invite.send_count >= RESEND_MAX_SENDS:
        raise ConflictError(
            f"this invitation was already sent {invite.send_count} times, the most it may be; "
            "revoke it and invite the candidate again if the address is right",
            code="invite_send_limit",
        )
    cooldown = getattr(settings, "ASSESSMENT_INVITE_RESEND_COOLDOWN_SECONDS", RESEND_COOLDOWN_SECONDS)
    if invite.last_sent_at is not None:
        ago = int((timezone.now() - invite.last_sent_at).total_seconds())
        if ago < cooldown:
            wait = "a minute" if cooldown <= 60 else f"{cooldown} seconds"
            raise ApplicationError(
                f"this invitation was sent {max(ago, 0)} seconds ago; wait {wait} before sending it again",
                code="invite_resend_too_soon",
                status_code=429,
            )


def assessment_invite_resend(*, by: User, invite_id: int) -> tuple[AssessmentInvite, str]:
    """Emails a pending or expired invitation again, with a new link and a new expiry.

    Only the token's hash is stored, so the old link cannot be sent again: a new token
    replaces it and the old link stops working. Used or revoked invitations are a conflict.
    If the email cannot be queued, the invitation is put back as it was.
    """
    with transaction.atomic():
        invite = _invite_lock(by=by, invite_id=invite_id)
        if invite.status not in ("pending", "expired"):
            raise ConflictError(f"this invitation was {invite.status}, so it cannot be sent again", code="invite_not_resendable")
        _check_may_resend(invite)
        before = {name: getattr(invite, name) for name in ("token_hash", "expires_at", "send_count", "last_sent_at")}
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invite.token_hash = invite_token_hash(token)
        invite.expires_at = now + timedelta(hours=settings.ASSESSMENT_INVITE_TTL_HOURS)
        invite.send_count += 1
        invite.last_sent_at = now
        invite.full_clean()
        invite.save(update_fields=list(before))

        def enqueue() -> None:
            try:
                _enqueue_email(invite.id, token)
            except Exception as exc:
                AssessmentInvite.objects.filter(id=invite.id, token_hash=invite.token_hash).update(**before)
                raise _queue_unavailable(exc, "it was not sent again and its old link still works") from exc

        transaction.on_commit(enqueue)
    return invite, token


def assessment_invite_revoke(*, by: User, invite_id: int) -> AssessmentInvite:
    """Revokes a pending invitation: its link then says it can no longer be used."""
    with transaction.atomic():
        invite = _invite_lock(by=by, invite_id=invite_id)
        if invite.status != "pending":
            raise ConflictError(f"this invitation is already {invite.status}", code="invite_not_pending")
        invite.revoked_at = timezone.now()
        invite.revoked_by = by
        invite.full_clean()
        invite.save(update_fields=["revoked_at", "revoked_by"])
    return invite
