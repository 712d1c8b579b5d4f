from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.cases import prefiling

from ..errors import problems
from ..serializers.prefiling import ChecklistSerializer
from .base import ApiView
from .cases import APPLICATION_ID, find_application


class ApplicationChecklistView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="applications_checklist",
        summary="Check an application before filing: every problem, naming its BIS-748P block and the fix",
        parameters=[APPLICATION_ID],
        responses={200: ChecklistSerializer, **problems(404)},
        tags=["applications"],
    )
    def get(self, request, application_id):
        application = find_application(application_id)
        found = prefiling.check_application(application, today=timezone.localdate())
        body = {"application": application.reference, "ready": not found, "problems": [p.as_dict() for p in found]}
        return Response(ChecklistSerializer(body).data)
