"""Content negotiation: the shortcut for clients that accept anything gives what DRF would."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from licensing.api.negotiation import ContentNegotiation
from licensing.api.views.filings import PdfRenderer


def negotiate(negotiation, **headers):
    request = Request(APIRequestFactory().get("/api/v1/anything", **headers))
    renderer, media_type = negotiation.select_renderer(request, [JSONRenderer(), PdfRenderer()])
    return type(renderer), media_type


@pytest.mark.parametrize("headers", [{}, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": "application/pdf"}])
def test_the_shortcut_chooses_as_drf_does(headers):
    assert negotiate(ContentNegotiation(), **headers) == negotiate(DefaultContentNegotiation(), **headers)


def test_an_unacceptable_type_is_still_a_406(billing, db):
    response = billing.get("/api/v1/access-check", {"customer": "C-1", "item": "frontier-1"}, HTTP_ACCEPT="text/csv")

    assert response.status_code == 406
