"""Every kind of event the log records, as one typed set.

A verb names what happened; its label says what the event's `after` (and,
for a change, `before`) carries. `record_event` refuses a verb not listed
here, and what follows an event (deadlines, filings, webhooks, re-decisions,
screening) is looked up by verb in the reactions table
(`licensing.reactions.table`), never by parsing the string. A status change
made by a state machine is recorded as its prefix and transition name
("application.approve_for_filing"), each listed below; a test checks that
every machine's transitions are.
"""

from django.db import models


class Verb(models.TextChoices):
    # Parties: after holds the fields changed; a status change its status and reason.
    CUSTOMER_CREATED = "customer.created", "Customer created: its fields"
    CUSTOMER_UPDATED = "customer.updated", "Customer changed: the fields before and after"
    CUSTOMER_STATUS_CHANGED = "customer.status_changed", "Customer put on hold, blocked or reactivated: status, reason"
    CUSTOMER_ADDRESS_ADDED = "customer.address_added", "Address added: its parts"
    CUSTOMER_ADDRESS_CHANGED = "customer.address_changed", "Address changed: its parts"
    CUSTOMER_OWNERSHIP_RECORDED = "customer.ownership_recorded", "Owner recorded: owner, percentage, verified_on"
    PERSON_CREATED = "person.created", "Person created: their fields"
    PERSON_UPDATED = "person.updated", "Person changed: the fields before and after"
    PERSON_STATUS_RECORDED = "person.status_recorded", "Citizenship or residency recorded: kind, country, dates"
    PERSON_STATUS_ENDED = "person.status_ended", "Citizenship or residency ended: ended_on"
    PERSON_EVIDENCE_ATTACHED = "person.evidence_attached", "Evidence attached: kind, name"
    PERSON_EVIDENCE_VIEWED = "person.evidence_viewed", "Evidence opened: document"
    PERSON_ADDRESS_RECORDED = "person.address_recorded", "Address recorded from a day: its parts, since_on"
    PERSON_ADDRESS_CORRECTED = "person.address_corrected", "Address corrected: the parts before and after"
    PERSON_VISA_RECORDED = "person.visa_recorded", "Visa recorded: type, number's last four, expires_on"
    PARTIES_BULK_SAVED = "parties.bulk_saved", "Customers, seats, owners or addresses written in bulk: kind, ids"

    # Determinations and their tasks.
    DETERMINATION_PREPARED = "determination.prepared", "Determination prepared: outcome, basis, attribution"
    DETERMINATION_UPDATED = "determination.updated", "Draft determination changed: the fields"
    DETERMINATION_SUBMIT = "determination.submit", "Determination submitted for review: status"
    DETERMINATION_APPROVE = "determination.approve", "Determination approved by a second officer: status"
    DETERMINATION_REJECT = "determination.reject", "Determination rejected: status, reason"
    DETERMINATION_RETURN = "determination.return_to_preparer", "Determination returned: status, reason"
    DETERMINATION_SUPERSEDE = "determination.supersede", "Determination superseded: status"
    DETERMINATION_TASK_OPENED = "determination_task.opened", "Determination task opened: reason"
    DETERMINATION_TASK_ASSIGNED = "determination_task.assigned", "Determination task assigned: to whom"
    DETERMINATION_TASK_CLOSED = "determination_task.closed", "Determination task closed: by which determination"

    # Transactions and their decisions.
    TRANSACTION_RECORDED = "transaction.recorded", "Transaction recorded: its identity fields"
    TRANSACTION_DECIDED = "transaction.decided", "Transaction decided: decision, reasons, licence (before: the last)"
    OWNERSHIP_RULE_SUSPENDED = "ownership_rule.suspended", "Ownership rule suspended from a day: status, dates, basis"
    OWNERSHIP_RULE_RESUMED = "ownership_rule.resumed", "Ownership rule in force from a day: status, dates, basis"

    # Applications: record keeping, then each move of the status machine.
    APPLICATION_CREATED = "application.created", "Draft application opened: transaction, type"
    APPLICATION_UPDATED = "application.updated", "Draft changed: the blocks"
    APPLICATION_ASSIGNED = "application.assigned", "Application assigned: officer"
    APPLICATION_PARTY_ADDED = "application.party_added", "Party added: role, name"
    APPLICATION_PARTY_CHANGED = "application.party_changed", "Party changed: role, name"
    APPLICATION_PARTY_REMOVED = "application.party_removed", "Party removed: role, name"
    APPLICATION_ITEM_ADDED = "application.item_added", "Item added: its fields"
    APPLICATION_ITEM_CHANGED = "application.item_changed", "Item changed: its fields"
    APPLICATION_ITEM_REMOVED = "application.item_removed", "Item removed"
    APPLICATION_CONSIGNEE_STATEMENT_RECORDED = (
        "application.consignee_statement_recorded",
        "Signed BIS-711 recorded: consignee, signer, signed_on",
    )
    APPLICATION_INTENT_TO_DENY_RESPONSE_RECORDED = (
        "application.intent_to_deny_response_recorded",
        "Response to an intent to deny recorded: responded_on, document",
    )
    APPLICATION_SUBMIT_FOR_REVIEW = "application.submit_for_review", "Submitted for review: status"
    APPLICATION_RETURN_TO_PREPARER = "application.return_to_preparer", "Returned to the preparer: status, reason"
    APPLICATION_APPROVE_FOR_FILING = "application.approve_for_filing", "Approved for filing: status"
    APPLICATION_MARK_SUBMITTED = "application.mark_submitted", "Filed with BIS: status, control number, on"
    APPLICATION_RECORD_REGISTRATION = "application.record_registration", "Registered by BIS: status, on"
    APPLICATION_RECORD_INFORMATION_REQUEST = (
        "application.record_information_request",
        "BIS asked for information: status, on, what and by when",
    )
    APPLICATION_RECORD_INFORMATION_SUPPLIED = (
        "application.record_information_supplied",
        "Information supplied to BIS: status, on",
    )
    APPLICATION_RECORD_PRE_LICENCE_CHECK = "application.record_pre_licence_check", "Pre-licence check: status, on"
    APPLICATION_RECORD_REFERRAL = "application.record_referral", "Referred to agencies: status, on"
    APPLICATION_RECORD_ESCALATION = "application.record_escalation", "Escalated: status, on"
    APPLICATION_RECORD_INTENT_TO_DENY = "application.record_intent_to_deny", "Intent to deny: status, on"
    APPLICATION_RECORD_INTENT_TO_DENY_RESPONSE = (
        "application.record_intent_to_deny_response",
        "Intent to deny answered: status, on",
    )
    APPLICATION_RECORD_APPROVAL = "application.record_approval", "Approved by BIS: status, on"
    APPLICATION_RECORD_APPROVAL_WITH_CONDITIONS = (
        "application.record_approval_with_conditions",
        "Approved by BIS with conditions: status, on",
    )
    APPLICATION_RECORD_DENIAL = "application.record_denial", "Denied by BIS: status, on"
    APPLICATION_RECORD_RETURN_WITHOUT_ACTION = (
        "application.record_return_without_action",
        "Returned without action: status, on, reason",
    )
    APPLICATION_RECORD_RETURN_NOT_REQUIRED = (
        "application.record_return_not_required",
        "Returned, no licence required: status, on",
    )
    APPLICATION_WITHDRAW = "application.withdraw", "Withdrawn: status, reason"

    # Licences.
    LICENCE_ISSUED = "licence.issued", "Licence recorded as issued: number, validity, scope"
    LICENCE_USAGE_RECORDED = "licence.usage_recorded", "Use drawn down: transaction, quantity, value"
    LICENCE_ALLOWANCE_USED_UP = (
        "licence.allowance_used_up",
        "Gateway allowance used up: calls and tokens counted, and authorised",
    )
    LICENCE_CONDITION_ACKNOWLEDGED = "licence.condition_acknowledged", "Condition acknowledged: condition"
    LICENCE_REVIEW_OPENED = "licence.review_opened", "Licence under review after a listing: hit, list, reason"
    LICENCE_SUSPEND = "licence.suspend", "Licence suspended: status, reason"
    LICENCE_REINSTATE = "licence.reinstate", "Licence reinstated: status"
    LICENCE_REVOKE = "licence.revoke", "Licence revoked: status, reason"
    LICENCE_REPLACE = "licence.replace", "Licence replaced: status"
    LICENCE_EXPIRE = "licence.expire", "Licence expired: status"
    LICENCE_EXHAUST = "licence.exhaust", "Licence used up: status"

    # Screening.
    SCREENING_LIST_VERSION_IN_FORCE = "screening.list_version_in_force", "List version in force: feed, published_on"
    SCREENING_RESCREEN_STARTED = "screening.rescreen_started", "Re-screen started: version, subjects, batches"
    SCREENING_RESCREEN_FINISHED = "screening.rescreen_finished", "Re-screen finished: counts"
    SCREENING_HIT_OPENED = "screening.hit_opened", "Hit opened: entry, score"
    SCREENING_SUBJECTS_AFFECTED = (
        "screening.subjects_affected",
        "Screening changed what decisions read: the customers, persons and parties affected",
    )
    SCREENING_HIT_CONFIRM_MATCH = "screening.hit.confirm_match", "Hit confirmed: status, reason"
    SCREENING_HIT_PROPOSE_FALSE_POSITIVE = (
        "screening.hit.propose_false_positive",
        "Hit proposed as a false positive: status, reason",
    )
    SCREENING_HIT_CLEAR = "screening.hit.clear", "Hit cleared by a second officer: status"
    SCREENING_HIT_REJECT_CLEARING = "screening.hit.reject_clearing", "Clearing rejected: status, reason"
    SCREENING_HIT_REOPEN = "screening.hit.reopen", "Hit reopened: status, reason"
    SCREENING_HIT_DELIST = "screening.hit.delist", "Entry no longer listed: status"
    SCREENING_HIT_RELIST = "screening.hit.relist", "Entry listed again: status"
    SCREENING_HIT_CLOSE_DELISTED = (
        "screening.hit.close_delisted",
        "Hit on an entry no longer listed closed by an officer: status, reason",
    )
    SCREENING_HIT_FLAGGED = "screening.hit_flagged", "Hit's entry left the lists; it holds until reviewed: reason"
    SCREENING_CHANGES_SCREENED = (
        "screening.changes_screened",
        "Subjects that could match a new version's changed entries screened first: counts, seconds",
    )

    # Rule changes (licensing.policy): drafting, the simulator's runs, then each move of the change's machine.
    RULE_CHANGE_DRAFTED = "rule_change.drafted", "Rule change drafted: kind, requirement, what it names, reason"
    RULE_CHANGE_UPDATED = "rule_change.updated", "Draft rule change changed: the fields before and after"
    RULE_CHANGE_SIMULATION_REQUESTED = "rule_change.simulation_requested", "Simulation requested: simulation, date"
    RULE_CHANGE_MARK_SIMULATED = "rule_change.mark_simulated", "Simulated: status, simulation, counts"
    RULE_CHANGE_RETURN_TO_DRAFT = "rule_change.return_to_draft", "Back to draft after an edit: status"
    RULE_CHANGE_APPROVE = "rule_change.approve", "Approved by a second administrator: status, effective_on, law data"
    RULE_CHANGE_PUT_IN_FORCE = "rule_change.put_in_force", "In force from its day: status, effective_on"
    RULE_CHANGE_WITHDRAW = "rule_change.withdraw", "Withdrawn: status, reason"
    RULE_CHANGE_REDECIDED = "rule_change.redecided", "Transactions decided again under the change: how many"

    # Restoring service: triage of the book, its rule sets, and bulk intake.
    TRIAGE_RAN = "triage.ran", "Triage run: rule set version, subjects triaged, proposals written per bucket"
    TRIAGE_PROPOSAL_MOVED = "triage.proposal_moved", "Proposal moved by an officer: bucket before and after, reason"
    TRIAGE_PROPOSALS_ACCEPTED = "triage.proposals_accepted", "Proposals accepted: how many, their ids"
    TRIAGE_RULE_SET_SAVED = "triage.rule_set_saved", "Triage rule set drafted or changed: version, rules"
    TRIAGE_RULE_SET_ACTIVATED = "triage.rule_set_activated", "Triage rule set activated: version, the one retired"
    IMPORT_RUN_CREATED = "import_run.created", "Bulk import uploaded and checked: kind, rows, problems"
    IMPORT_RUN_STARTED = "import_run.started", "Bulk import started: kind, rows"
    IMPORT_RUN_FINISHED = "import_run.finished", "Bulk import finished: created and changed per record kind"
    IMPORT_RUN_FAILED = "import_run.failed", "Bulk import failed: error"
    IMPORT_RUN_SCREENED = "import_run.screened", "Every subject a bulk import created or changed screened: counts"
    IMPORT_RUN_FILE_DELETED = "import_run.file_deleted", "Imported file deleted after its retention: sha256, days"

    # Filings, packages and retention.
    FILING_REQUESTED = "filing.requested", "Filing document requested: kind"
    FILING_GENERATED = "filing.generated", "Filing document rendered: sha256"
    FILING_FAILED = "filing.failed", "Filing render failed: error"
    FILING_RETRIED = "filing.retried", "Filing render retried: previous error"
    FILING_DOWNLOADED = "filing.downloaded", "Filing document downloaded: sha256"
    EXPORT_PACKAGE_REQUESTED = "export_package.requested", "Legal export package requested: scope"
    EXPORT_PACKAGE_BUILT = "export_package.built", "Legal export package built: sha256"
    EXPORT_PACKAGE_FAILED = "export_package.failed", "Legal export package failed: error"
    EXPORT_PACKAGE_DOWNLOADED = "export_package.downloaded", "Legal export package downloaded: sha256"
    RETENTION_TRANSFER_RECORDED = "retention.transfer_recorded", "Known reexport or transfer recorded: on"
    RETENTION_LEGAL_HOLD_SET = "retention.legal_hold_set", "Legal hold set: reason"
    RETENTION_LEGAL_HOLD_RELEASED = "retention.legal_hold_released", "Legal hold released: reason"
    RETENTION_FILINGS_DESTROYED = "retention.filings_destroyed", "Records destroyed after retention: files"

    # Attestations by customers: after holds the subject, status and what the answers became.
    ATTESTATION_SENT = "attestation.sent", "Attestation link e-mailed: subject, contact, purpose, expiry, run"
    ATTESTATION_REMINDED = "attestation.reminded", "Reminder with a fresh link e-mailed: reminder number, contact"
    ATTESTATION_VIEWED = "attestation.viewed", "Attestation link opened: status, views"
    ATTESTATION_SUBMITTED = (
        "attestation.submitted",
        "Attestation signed and submitted: signer, documents, status records, owners, fields filled, discrepancies",
    )
    ATTESTATION_REVOKED = "attestation.revoked", "Attestation link revoked by an officer: status, reason"
    ATTESTATION_DOCUMENT_OPENED = "attestation.document_opened", "Attested document opened: document, name"
    ATTESTATION_EXPIRED = "attestation.expired", "Attestation link lapsed unanswered: status, expiry"
    ATTESTATION_LINK_REFUSED = "attestation.link_refused", "Attestation link refused: reason, attempt, attestation"
    ATTESTATION_SEND_RUN_STARTED = "attestation.send_run_started", "Bulk send of attestation links queued: subjects"
    ATTESTATION_SEND_RUN_FINISHED = (
        "attestation.send_run_finished",
        "Bulk send of attestation links done: sent, skipped",
    )

    # Batches of determinations reviewed together: the sample, each opening, the verdicts, the approval's progress.
    DETERMINATION_BATCH_CREATED = "determination_batch.created", "Batch of determinations started: proposals, buckets"
    DETERMINATION_BATCH_PREPARED = (
        "determination_batch.prepared",
        "Batch prepared: determinations, subjects left out and why, sample size, seed",
    )
    DETERMINATION_BATCH_START_REVIEW = "determination_batch.start_review", "Batch taken for review: status, reviewer"
    DETERMINATION_BATCH_SUBJECT_OPENED = "determination_batch.subject_opened", "Sampled subject opened: entry, subject"
    DETERMINATION_BATCH_SUBJECT_ACCEPTED = "determination_batch.subject_accepted", "Sampled subject accepted: entry"
    DETERMINATION_BATCH_STOP = "determination_batch.stop", "Batch stopped by a rejected sampled subject: entry, reason"
    DETERMINATION_BATCH_APPROVE = "determination_batch.approve", "Batch approved after its sample: status, count"
    DETERMINATION_BATCH_FINISH_APPROVAL = (
        "determination_batch.finish_approval",
        "Every determination of an approved batch written: status, approved, skipped",
    )

    # Deadlines.
    DEADLINE_SETTLED = "deadline.settled", "Deadline settled by an officer: kind, on, note"
    DEADLINE_MISSED = "deadline.missed", "Deadline passed unmet: kind, due_on"
    DEADLINE_SUBSCRIPTION_UPDATED = "deadline_subscription.updated", "Reminder preferences changed"
    DEADLINE_SUBSCRIPTION_CALENDAR_CREATED = "deadline_subscription.calendar_created", "Calendar feed created"
    DEADLINE_SUBSCRIPTION_CALENDAR_RESET = "deadline_subscription.calendar_reset", "Calendar feed address replaced"

    # Comments on a case or a record.
    COMMENT = "comment", "Comment: text"

    # Sign-in and machine access.
    USER_SIGN_IN_LOCKED = "user.sign_in_locked", "Sign-in locked after failures: by username or address"
    USER_SIGN_IN_UNLOCKED = "user.sign_in_unlocked", "Sign-in unlocked by an administrator"
    USER_SIGNED_IN_BY_LINK = "user.signed_in_by_link", "Signed in past a lockout with the e-mailed link"
    USER_TWO_FACTOR_ENABLED = "user.two_factor_enabled", "Second factor turned on"
    USER_TWO_FACTOR_DISABLED = "user.two_factor_disabled", "Second factor turned off"
    USER_TWO_FACTOR_LOCKED = "user.two_factor_locked", "Second factor locked after wrong codes"
    THROTTLE_UNLOCKED = "throttle.unlocked", "Address lock lifted by an administrator"
    API_TOKEN_ISSUED = "api_token.issued", "API token issued: name, role, expiry"
    API_TOKEN_REVOKED = "api_token.revoked", "API token revoked: reason"
    API_TOKEN_EXPIRY_CHANGED = "api_token.expiry_changed", "API token's expiry changed: expires_at"
    MODEL_API_KEY_REGISTERED = "model_api_key.registered", "Model API key registered: customer, name, prefix"
    MODEL_API_KEY_REVOKED = "model_api_key.revoked", "Model API key revoked: reason"
    WEBHOOK_SUBSCRIBED = "webhook.subscribed", "Webhook subscription made: name, url, events"
    WEBHOOK_CHANGED = "webhook.changed", "Webhook subscription changed: the fields"

    # Reference data edited by an administrator in the admin: the fields changed.
    COUNTRY_CREATED = "country.created", "Country added"
    COUNTRY_UPDATED = "country.updated", "Country changed"
    COUNTRYGROUP_CREATED = "countrygroup.created", "Country group added"
    COUNTRYGROUP_UPDATED = "countrygroup.updated", "Country group changed"
    COUNTRYGROUPMEMBERSHIP_CREATED = "countrygroupmembership.created", "Country group membership added"
    COUNTRYGROUPMEMBERSHIP_UPDATED = "countrygroupmembership.updated", "Country group membership changed"
    CONTROLLEDITEM_CREATED = "controlleditem.created", "Controlled item added"
    CONTROLLEDITEM_UPDATED = "controlleditem.updated", "Controlled item changed"
    LICENCEREQUIREMENT_CREATED = "licencerequirement.created", "Licence requirement added"
    LICENCEREQUIREMENT_UPDATED = "licencerequirement.updated", "Licence requirement changed"


class UnknownVerb(ValueError):
    """An event was about to be recorded under a verb the typed set does not list."""


def checked_verb(verb: str) -> Verb:
    """Return the Verb a string names, refusing one that is not listed."""
    try:
        return Verb(verb)
    except ValueError:
        raise UnknownVerb(f"{verb!r} is not a listed event verb (licensing.audit.verbs.Verb)") from None
