from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from licensing.cases.models import Decision, LicenceApplication, Transaction
from licensing.determinations.models import DeterminationTask, ForeignPersonDetermination


@login_required
def home(request):
    """Show what waits: held transactions, determinations to make and review, open applications."""
    context = {
        "held": Transaction.objects.held().select_related("customer", "person", "item").order_by("requested_at")[:20],
        "tasks": DeterminationTask.objects.filter(status=DeterminationTask.Status.OPEN).select_related(
            "customer", "person"
        )[:20],
        "to_review": ForeignPersonDetermination.objects.awaiting_review().select_related(
            "customer", "person", "prepared_by"
        )[:20],
        "applications": LicenceApplication.objects.exclude(
            status__in=[LicenceApplication.Status.APPROVED, LicenceApplication.Status.WITHDRAWN]
        ).select_related("customer", "person")[:20],
        "decision_counts": {
            label: Transaction.objects.filter(decision=value).count() for value, label in Decision.choices
        },
    }
    return render(request, "web/home.html", context)


@require_GET
def healthz(request):
    """Answer 200 when the database answers; load balancers poll this."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
