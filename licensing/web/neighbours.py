"""Panels fed by apps that may not be installed yet: deadlines and screening.

Each is looked up when asked for; when the app has no models (or its tables
are missing), its panel is simply absent and every page still works.
"""

import datetime
import importlib

from django.db import DatabaseError
from django.utils import timezone


def _model(module_name: str, *names: str):
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    for name in names:
        model = getattr(module, name, None)
        if model is not None:
            return model
    return None


def deadline_model():
    model = _model("licensing.deadlines.models", "Deadline")
    if model is None or not all(hasattr(model.objects, name) for name in ("open", "overdue", "for_subject")):
        return None
    return model


def hit_model():
    return _model("licensing.screening.models", "Hit", "ScreeningHit", "Match")


def deadlines_due(user, *, today: datetime.date | None = None, limit: int = 15) -> dict | None:
    """Open deadlines due within seven days, and overdue ones, mine first; None without the app."""
    model = deadline_model()
    if model is None:
        return None
    today = today or timezone.localdate()
    try:
        base = model.objects.select_related("owner", "application")
        overdue = list(base.overdue(today).order_by("due_on", "pk")[:limit])
        this_week = list(
            base.open()
            .filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=7))
            .order_by("due_on", "pk")[:limit]
        )
    except DatabaseError:
        return None
    return {"overdue": overdue, "this_week": this_week, "today": today}


def deadlines_for(subject) -> list | None:
    """A record's clocks (for an application, every clock of the case); None without the app."""
    model = deadline_model()
    if model is None:
        return None
    try:
        queryset = model.objects.for_subject(subject)
        if subject._meta.model_name == "licenceapplication":
            queryset = queryset | model.objects.filter(application=subject)
        return list(queryset.select_related("owner").order_by("due_on", "pk"))
    except DatabaseError:
        return None


def hits_to_adjudicate(*, limit: int = 15) -> dict | None:
    """Screening hits waiting for an officer's decision; None without the app."""
    model = hit_model()
    if model is None:
        return None
    manager = model.objects
    try:
        for name in ("awaiting_adjudication", "to_adjudicate", "open", "pending"):
            if hasattr(manager, name):
                queryset = getattr(manager, name)()
                break
        else:
            return None
        return {"count": queryset.count(), "rows": list(queryset[:limit])}
    except DatabaseError:
        return None
