"""REST endpoints: ad hoc search, a subject's screening results, the hits queue and adjudication."""

import functools

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.accounts.permissions import Action, require
from licensing.cases.models import LicenceApplication
from licensing.parties.models import Customer, Person
from licensing.screening.models import Hit, ListVersion, SubjectScreening
from licensing.screening.search import NoListInForce, search_name, threshold_in_force
from licensing.screening.services.adjudication import adjudicate_hit
from licensing.workflow.machine import ActorNotAllowed, IllegalTransition, ReasonRequired

from ..errors import UNPROCESSABLE
from ..serializers import screening as schema
from ..serializers.screening_data import change_data, hit_data, result_data, screening_data, version_data

HITS_PAGE = 50
CHANGES_PAGE = 500
HIT_RELATIONS = ("entry__version", "proposed_by", "adjudicated_by")


class NoList(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "no_list_in_force"


class HitConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


@functools.cache
def field_names(serializer_class) -> frozenset[str]:
    """The fields a query serializer accepts; building its fields deep-copies them, so once per class."""
    return frozenset(serializer_class().fields)


class ScreeningApiView(APIView):
    action: Action = Action.VIEW_CASES

    def check_permissions(self, request):
        super().check_permissions(request)
        require(request.user, self.action)

    def parsed(self, serializer_class, data) -> dict:
        allowed = field_names(serializer_class)
        unknown = sorted(set(data) - allowed) if hasattr(data, "keys") else []
        if unknown:
            raise ValidationError({name: ["Unknown field."] for name in unknown})
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class SearchView(ScreeningApiView):
    action = Action.SEARCH_SCREENING_LISTS

    @extend_schema(
        operation_id="screening_search",
        summary="Screen a name against the restricted-party lists in force",
        description=(
            "Results at or above the match threshold (the caller's, else the product's default), best first; "
            "scores from 0 to 1, 1 only for a name identical to a listed one once normalised."
        ),
        parameters=[schema.SearchQuerySerializer],
        responses={200: schema.SearchResponseSerializer, **schema.problems(400, 422, 503)},
        tags=["screening"],
    )
    def get(self, request):
        query = self.parsed(schema.SearchQuerySerializer, request.query_params.dict())
        try:
            results = search_name(
                name=query["name"],
                limit=query["limit"],
                type=query.get("type", ""),
                country=query.get("country", ""),
                threshold=query.get("threshold"),
            )
        except DjangoValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"name": error.messages}
            # The format was checked above: a code naming no country is well formed but unknown, a 422.
            raise ValidationError(errors, code=UNPROCESSABLE if set(errors) == {"country"} else None)
        except NoListInForce as error:
            raise NoList(str(error))
        threshold = threshold_in_force(query.get("threshold"))
        return Response({"threshold": threshold, "results": [result_data(r) for r in results]})


class SubjectScreeningView(ScreeningApiView):
    def get(self, request, **kwargs):
        subject = self.subject(**kwargs)
        screening = SubjectScreening.objects.for_subject(subject).first()
        hits = Hit.objects.for_subject(subject).select_related(*HIT_RELATIONS)
        return Response(screening_data(subject, screening, hits))


class CustomerScreeningView(SubjectScreeningView):
    @extend_schema(
        operation_id="customer_screening",
        summary="A customer's latest screening and its hits",
        responses={200: schema.ScreeningSerializer, **schema.problems(404)},
        tags=["screening"],
    )
    def get(self, request, external_id):
        return super().get(request, external_id=external_id)

    def subject(self, external_id):
        return get_object_or_404(Customer, external_id=external_id)


class PersonScreeningView(SubjectScreeningView):
    @extend_schema(
        operation_id="person_screening",
        summary="A person's latest screening and its hits",
        responses={200: schema.ScreeningSerializer, **schema.problems(404)},
        tags=["screening"],
    )
    def get(self, request, external_id, person_external_id):
        return super().get(request, external_id=external_id, person_external_id=person_external_id)

    def subject(self, external_id, person_external_id):
        return get_object_or_404(Person, customer__external_id=external_id, external_id=person_external_id)


class ApplicationScreeningView(ScreeningApiView):
    @extend_schema(
        operation_id="application_screening",
        summary="The screening of an application's parties",
        responses={200: schema.ApplicationScreeningSerializer, **schema.problems(404)},
        tags=["screening"],
    )
    def get(self, request, pk):
        application = get_object_or_404(LicenceApplication, pk=pk)
        parties = []
        for party in application.parties.select_related("customer", "person"):
            screening = SubjectScreening.objects.for_subject(party).first()
            hits = Hit.objects.for_subject(party).select_related(*HIT_RELATIONS)
            parties.append(screening_data(party, screening, hits))
        return Response({"application": application.reference, "parties": parties})


class HitListView(ScreeningApiView):
    @extend_schema(
        operation_id="screening_hits",
        summary="The hits queue (awaiting adjudication unless a status is given), oldest first",
        parameters=[schema.HitQuerySerializer],
        responses={200: schema.HitPageSerializer, **schema.problems(400)},
        tags=["screening"],
    )
    def get(self, request):
        query = self.parsed(schema.HitQuerySerializer, request.query_params.dict())
        hits = Hit.objects.select_related(*HIT_RELATIONS, "customer", "person", "party")
        hits = hits.filter(status=query["status"]) if query.get("status") else hits.awaiting_adjudication()
        offset = query["offset"]
        page = list(hits.order_by("first_matched_at", "pk")[offset : offset + HITS_PAGE + 1])
        return Response(
            {
                "results": [hit_data(h, with_subject=True) for h in page[:HITS_PAGE]],
                "next_offset": offset + HITS_PAGE if len(page) > HITS_PAGE else None,
            }
        )


class HitAdjudicationView(ScreeningApiView):
    action = Action.ADJUDICATE_SCREENING_HITS

    @extend_schema(
        operation_id="screening_hit_adjudicate",
        summary="Adjudicate a hit: true_match, false_positive, clear (a second officer) or send_back",
        request=schema.AdjudicationSerializer,
        responses={200: schema.HitSerializer, **schema.problems(400, 404, 409)},
        tags=["screening"],
    )
    def post(self, request, pk):
        hit = get_object_or_404(Hit, pk=pk)
        data = self.parsed(schema.AdjudicationSerializer, request.data if isinstance(request.data, dict) else {})
        try:
            hit = adjudicate_hit(actor=request.user, hit=hit, outcome=data["outcome"], reason=data["reason"])
        except (ActorNotAllowed, DjangoPermissionDenied) as error:
            raise PermissionDenied(str(error))
        except ReasonRequired as error:
            raise ValidationError({"reason": [str(error)]})
        except IllegalTransition as error:
            raise HitConflict(str(error))
        return Response(hit_data(Hit.objects.select_related(*HIT_RELATIONS).get(pk=hit.pk)))


class ListChangesView(ScreeningApiView):
    @extend_schema(
        operation_id="screening_list_changes",
        summary="What a list version changed against the one it replaced: entries added, removed and changed",
        parameters=[schema.ChangesQuerySerializer],
        responses={200: schema.ListChangesSerializer, **schema.problems(400, 404)},
        tags=["screening"],
    )
    def get(self, request, pk):
        query = self.parsed(schema.ChangesQuerySerializer, request.query_params.dict())
        version = get_object_or_404(ListVersion.objects.select_related("replaces"), pk=pk)
        changes = version.changes.all()
        if query.get("kind"):
            changes = changes.filter(kind=query["kind"])
        offset = query["offset"]
        page = list(changes.order_by("kind", "name", "pk")[offset : offset + CHANGES_PAGE + 1])
        counts = {k: v for k, v in version.change_counts.items() if k != "screened_first"}
        return Response(
            {
                "version": version_data(version),
                "replaces": version_data(version.replaces) if version.replaces else None,
                "counts": counts,
                "screened_first": version.change_counts.get("screened_first"),
                "results": [change_data(c) for c in page[:CHANGES_PAGE]],
                "next_offset": offset + CHANGES_PAGE if len(page) > CHANGES_PAGE else None,
            }
        )
