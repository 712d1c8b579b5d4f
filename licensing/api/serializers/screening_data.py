"""Screening records as plain data, for the API's responses."""

from licensing.screening.models import Hit, ListChange, ListEntry, ListVersion, SubjectScreening


def version_data(version: ListVersion) -> dict:
    return {"id": version.pk, "feed": version.feed, "published_on": version.published_on, "label": str(version)}


def entry_data(entry: ListEntry) -> dict:
    return {
        "key": entry.key,
        "name": entry.name,
        "source": entry.source,
        "list": entry.list_code,
        "entity_number": entry.entity_number,
        "type": entry.type,
        "alt_names": entry.alt_names,
        "countries": entry.countries,
        "programs": entry.programs,
        "license_requirement": entry.license_requirement,
        "license_policy": entry.license_policy,
        "federal_register_notice": entry.federal_register_notice,
        "source_list_url": entry.source_list_url,
    }


def result_data(result) -> dict:
    """One ad hoc search result, in the shape the search endpoint documents."""
    entry = result.entry
    return {
        "name": entry.name,
        "matched_name": result.matched_name,
        "source": entry.source,
        "list": entry.list_code,
        "entity_number": entry.entity_number,
        "type": entry.type,
        "score": round(result.score, 4),
        "list_version": version_data(entry.version),
        "entry_key": entry.key,
        "countries": entry.countries,
        "license_requirement": entry.license_requirement,
        "license_policy": entry.license_policy,
        "reasons": result.reasons,
    }


def subject_data(subject) -> dict:
    kind = subject._meta.model_name
    data = {"kind": "party" if kind == "applicationparty" else kind, "id": subject.pk, "name": str(subject)}
    if kind == "customer":
        data.update(external_id=subject.external_id, name=subject.legal_name)
    elif kind == "person":
        data.update(external_id=subject.external_id)
    else:
        data.update(name=subject.name, role=subject.role, application=subject.application_id)
    return data


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def hit_data(hit: Hit, *, with_subject: bool = False) -> dict:
    data = {
        "id": hit.pk,
        "status": hit.status,
        "score": hit.score,
        "subject_name": hit.subject_name,
        "matched_name": hit.matched_name,
        "reasons": hit.reasons,
        "entry": entry_data(hit.entry),
        "list_version": version_data(hit.entry.version),
        "first_matched_at": hit.first_matched_at,
        "last_matched_at": hit.last_matched_at,
        "proposed_by": _user(hit.proposed_by),
        "proposal_reason": hit.proposal_reason,
        "adjudicated_by": _user(hit.adjudicated_by),
        "adjudicated_at": hit.adjudicated_at,
        "adjudication_reason": hit.adjudication_reason,
    }
    if with_subject:
        data["subject"] = subject_data(hit.subject)
    return data


def screening_data(subject, screening: SubjectScreening | None, hits) -> dict:
    return {
        "subject": subject_data(subject),
        "screened_at": screening.screened_at if screening else None,
        "names": screening.names if screening else [],
        "list_versions": screening.versions if screening else [],
        "hits": [hit_data(h) for h in hits],
    }


def change_data(change: ListChange) -> dict:
    return {
        "kind": change.kind,
        "key": change.key,
        "name": change.name,
        "list": change.list_code,
        "changed": change.fields,
        "can_add_hits": change.matchable,
        "entry": change.entry_id,
        "previous_entry": change.previous_id,
    }
