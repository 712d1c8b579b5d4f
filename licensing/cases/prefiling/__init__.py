"""The check before an application goes for review, as an ordered list of small rules.

Each rule is a function of the loaded `Draft` that returns a `Problem`, naming
the BIS-748P block, what is wrong and how to put it right, or None. `check`
asks them all, in `CHECKS` order (the order of the form's blocks), and returns
every problem: the checklist the application's page shows while the officer
types, and what `submit_application_for_review` refuses on while any remain.

To add a rule, write the function in the module of its concern, put it in
`CHECKS` at its block's place, and add its row to `tests/cases/test_prefiling.py`.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from ..models import LicenceApplication
from . import blocks, deemed, documents, wording
from .draft import Draft, load_draft
from .problem import Problem

Check = Callable[[Draft], Problem | None]

CHECKS: tuple[Check, ...] = (
    blocks.contact,
    documents.ticked_documents_uploaded,
    documents.consignee_statement_recorded,
    documents.consignee_statement_in_window,
    documents.consignee_statement_names_consignee,
    deemed.person_papers,
    deemed.technology_control_plan,
    blocks.applicant,
    blocks.purchaser,
    blocks.ultimate_consignee,
    blocks.end_user,
    blocks.original_ultimate_consignee,
    blocks.end_use_given,
    wording.end_use_specific,
    blocks.items_listed,
    blocks.item_quantities,
    blocks.signature,
)


def check(draft: Draft) -> list[Problem]:
    """Every problem the rules find, in the order of the form."""
    return [problem for rule in CHECKS if (problem := rule(draft)) is not None]


def check_application(
    application: LicenceApplication, *, today: datetime.date, changes: dict[str, Any] | None = None
) -> list[Problem]:
    """Load and check one application, with block values typed but not saved laid over the stored ones."""
    return check(load_draft(application, today=today, changes=changes))


def refuse_unless_ready(application: LicenceApplication, *, today: datetime.date) -> None:
    """Raise a ValidationError naming each field with a problem, in words an officer can act on."""
    problems = check_application(application, today=today)
    if not problems:
        return
    errors: dict[str, list[ValidationError]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(
            ValidationError(f"{problem.block}: {problem.message} {problem.fix}", code="unprocessable")
        )
    raise ValidationError(errors)


__all__ = ["CHECKS", "Check", "Draft", "Problem", "check", "check_application", "load_draft", "refuse_unless_ready"]
