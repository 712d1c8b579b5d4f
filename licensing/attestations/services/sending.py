"""Sending attestation links: one at a time by an officer, in bulk by a background run, and reminders from beat."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.outbox.services import enqueue
from licensing.parties.models import Customer, Person

from .. import task_names
from ..links import hash_secret, link_lifetime, new_secret, sign_link
from ..models import Attestation, AttestationSendRun, Purpose

log = logging.getLogger(__name__)

# An unanswered link is reminded after this long without news, at most this many times.
REMIND_AFTER = datetime.timedelta(days=5)
MOST_REMINDERS = 3


def _require(actor, action: Action) -> None:
    if not user_can(actor, action):
        raise PermissionDenied(f"{actor} may not {Action(action).label.lower()}")


def subject_key(subject) -> list:
    return ["person" if isinstance(subject, Person) else "customer", subject.pk]


def subject_from_key(key) -> Customer | Person | None:
    kind, pk = key
    if kind == "person":
        return Person.objects.filter(pk=pk).first()
    return Customer.objects.filter(pk=pk).first()


def contact_email_of(subject) -> str:
    """The address a subject's link goes to: a person's own; a customer's account holder's."""
    if isinstance(subject, Person):
        return subject.email
    holder = (
        subject.persons.filter(relationship=Person.Relationship.ACCOUNT_HOLDER).exclude(email="").order_by("pk").first()
    )
    return holder.email if holder else ""


def link_address(attestation: Attestation, secret: str) -> str:
    value = sign_link(attestation_id=attestation.pk, secret=secret, purpose=attestation.purpose)
    return settings.EXPORTDESK_BASE_URL.rstrip("/") + reverse("attestation_form", args=[value])


def _mail(attestation: Attestation, secret: str, *, reminder: bool) -> None:
    context = {
        "attestation": attestation,
        "subject": attestation.subject,
        "link": link_address(attestation, secret),
        "reminder": reminder,
    }
    send_mail(
        subject=("Reminder: " if reminder else "") + f"Export-control questions about {attestation.subject}",
        message=render_to_string("attestations/link_email.txt", context),
        from_email=None,
        recipient_list=[attestation.contact_email],
    )


def send_attestation(
    *, actor, subject: Customer | Person, contact_email: str = "", send_run: AttestationSendRun | None = None
) -> Attestation:
    """E-mail a subject's contact a new link to the attestation form; refused while one is still open."""
    _require(actor, Action.EDIT_PARTIES)
    contact_email = (contact_email or contact_email_of(subject)).strip()
    if not contact_email:
        raise ValidationError({"contact_email": f"{subject} has no contact e-mail address; give one."})
    try:
        validate_email(contact_email)
    except ValidationError:
        raise ValidationError({"contact_email": f"{contact_email!r} is not an e-mail address."}) from None
    now = timezone.now()
    secret = new_secret()
    attestation = Attestation(
        **({"person": subject} if isinstance(subject, Person) else {"customer": subject}),
        purpose=Purpose.FOREIGN_PERSON_STATUS,
        contact_email=contact_email,
        token_hash=hash_secret(secret),
        sent_by=actor,
        send_run=send_run,
        sent_at=now,
        last_sent_at=now,
        expires_at=now + link_lifetime(),
    )
    attestation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            attestation.save()
            record_event(
                actor=actor,
                verb="attestation.sent",
                target=attestation,
                after={
                    "subject": subject_key(subject),
                    "contact_email": contact_email,
                    "purpose": attestation.purpose,
                    "expires_at": attestation.expires_at,
                    "run": send_run.pk if send_run else None,
                },
            )
            # Sent inside the transaction: a mail server that refuses it leaves no link recorded as sent.
            _mail(attestation, secret, reminder=False)
    except IntegrityError:
        open_one = Attestation.objects.for_subject(subject).unanswered().first()
        raise ValidationError(
            {"subject": f"{subject} already has an open link (#{open_one.pk if open_one else '?'}); revoke it first."}
        ) from None
    return attestation


def revoke_attestation(*, actor, attestation: Attestation, reason: str) -> Attestation:
    """Make an open link unusable at once, with the reason."""
    _require(actor, Action.EDIT_PARTIES)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the link is revoked."})
    with transaction.atomic():
        locked = Attestation.objects.select_for_update(no_key=True).get(pk=attestation.pk)
        if not locked.is_open:
            raise ValidationError(
                {"attestation": f"{locked} is {locked.get_status_display().lower()}; only an open link is revoked."}
            )
        before = locked.status
        locked.status = Attestation.Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revoke_reason = reason[:300]
        locked.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        record_event(
            actor=actor,
            verb="attestation.revoked",
            target=locked,
            before={"status": before},
            after={"status": locked.status},
            reason=reason,
        )
    return locked


def expire_attestation(attestation: Attestation, now: datetime.datetime) -> bool:
    """Record an open link past its expiry as expired; False if something else got there first."""
    with transaction.atomic():
        locked = Attestation.objects.select_for_update(no_key=True).filter(pk=attestation.pk).first()
        if locked is None or not locked.is_open or locked.expires_at > now:
            return False
        before = locked.status
        locked.status = Attestation.Status.EXPIRED
        locked.save(update_fields=["status"])
        record_event(
            actor=None,
            verb="attestation.expired",
            target=locked,
            before={"status": before},
            after={"status": locked.status, "expires_at": locked.expires_at},
        )
    return True


def expire_lapsed(now: datetime.datetime | None = None) -> int:
    """Record every open link past its expiry as expired; return how many."""
    now = now or timezone.now()
    return sum(expire_attestation(a, now) for a in Attestation.objects.lapsed(now).only("pk"))


def remind_unanswered(now: datetime.datetime | None = None) -> int:
    """E-mail a fresh link for each unanswered one gone quiet; the fresh link replaces the old. Return how many."""
    now = now or timezone.now()
    reminded = 0
    due = Attestation.objects.due_reminder(now, quiet_for=REMIND_AFTER, most=MOST_REMINDERS).only("pk")
    for candidate in due:
        try:
            with transaction.atomic():
                locked = Attestation.objects.select_for_update(no_key=True).get(pk=candidate.pk)
                # Another reminder run or the customer's answer may have got here first.
                if not locked.is_open or locked.last_sent_at > now - REMIND_AFTER or locked.expires_at <= now:
                    continue
                secret = new_secret()
                locked.token_hash = hash_secret(secret)
                locked.last_sent_at = now
                locked.reminders_sent = F("reminders_sent") + 1
                locked.save(update_fields=["token_hash", "last_sent_at", "reminders_sent"])
                locked.refresh_from_db(fields=["reminders_sent"])
                record_event(
                    actor=None,
                    verb="attestation.reminded",
                    target=locked,
                    after={"reminder": locked.reminders_sent, "contact_email": locked.contact_email},
                )
                _mail(locked, secret, reminder=True)
        except Exception:
            # One bad address must not stop the others' reminders; this one is tried again next run.
            log.exception("could not remind attestation %s", candidate.pk)
            continue
        reminded += 1
    return reminded


def start_send_run(*, actor, subjects) -> AttestationSendRun:
    """Queue links to many subjects, sent by a background task whose progress the run shows."""
    _require(actor, Action.EDIT_PARTIES)
    keys = []
    seen = set()
    for subject in subjects:
        key = subject_key(subject)
        if tuple(key) not in seen:
            seen.add(tuple(key))
            keys.append(key)
    if not keys:
        raise ValidationError({"subjects": "Choose at least one customer or person."})
    with transaction.atomic():
        run = AttestationSendRun.objects.create(requested_by=actor, subjects=keys, total=len(keys))
        record_event(actor=actor, verb="attestation.send_run_started", target=run, after={"subjects": len(keys)})
        enqueue(task_names.SEND_RUN, run.pk)
    return run


def run_send_run(run_id: int) -> AttestationSendRun:
    """Send the run's links from where it stopped; a subject already holding an open link is skipped."""
    run = AttestationSendRun.objects.select_related("requested_by").get(pk=run_id)
    if run.finished:
        return run
    AttestationSendRun.objects.filter(pk=run_id, status=AttestationSendRun.Status.QUEUED).update(
        status=AttestationSendRun.Status.SENDING
    )
    for index in range(run.processed, run.total):
        key = run.subjects[index]
        subject = subject_from_key(key)
        sent, problem = False, ""
        if subject is None:
            problem = "no longer exists"
        elif Attestation.objects.for_subject(subject).filter(send_run=run).exists():
            # Sent before the run stopped, progress not yet saved: this run's link stands.
            sent = True
        else:
            try:
                send_attestation(actor=run.requested_by, subject=subject, send_run=run)
                sent = True
            except (ValidationError, PermissionDenied) as error:
                problem = "; ".join(_messages(error))
            except Exception as error:
                log.exception("could not send attestation link to %s in run %s", key, run_id)
                problem = f"could not be sent ({error.__class__.__name__})"
        with transaction.atomic():
            locked = AttestationSendRun.objects.select_for_update(no_key=True).get(pk=run_id)
            if locked.processed != index:
                # Another worker took this run over; it carries on from its own place.
                return locked
            locked.processed = index + 1
            locked.sent += int(sent)
            if problem:
                locked.skipped = [*locked.skipped, {"subject": f"{key[0]} {key[1]}", "reason": problem}]
            locked.save(update_fields=["processed", "sent", "skipped"])
    with transaction.atomic():
        locked = AttestationSendRun.objects.select_for_update(no_key=True).get(pk=run_id)
        if locked.status != AttestationSendRun.Status.DONE:
            locked.status = AttestationSendRun.Status.DONE
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "finished_at"])
            record_event(
                actor=None,
                verb="attestation.send_run_finished",
                target=locked,
                after={"sent": locked.sent, "skipped": len(locked.skipped)},
            )
    return locked


def _messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error) or error.__class__.__name__]
