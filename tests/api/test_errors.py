"""Every error is application/problem+json naming what is wrong; malformed input never yields a 5xx."""

from licensing.parties.models import Customer

URL = "/api/v1/customers/C-1"


def test_malformed_json_is_a_400_problem(billing):
    response = billing.generic("PUT", URL, '{"kind": "entity",', content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and body["title"] == "Bad Request"
    assert body["detail"].startswith("The body is not valid JSON")
    assert body["instance"] == URL


def test_a_body_that_is_not_an_object_is_refused(billing):
    response = billing.put(URL, ["entity"], format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] is None


def test_nan_is_not_json(billing):
    response = billing.generic("PUT", URL, '{"legal_name": NaN}', content_type="application/json")

    assert response.status_code == 400


def test_a_body_over_the_limit_is_a_413_and_nothing_is_written(billing, settings):
    settings.API_MAX_BODY_BYTES = 2048
    huge = {"kind": "entity", "legal_name": "x" * 300, "aliases": ["y" * 300] * 20}

    response = billing.put(URL, huge, format="json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert not Customer.objects.exists()


def test_a_form_body_is_a_415(billing):
    response = billing.put(URL, "kind=entity", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"


def test_an_unsupported_method_is_a_405_problem(billing):
    response = billing.delete(URL)

    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_overlong_and_control_character_values_are_refused_naming_the_field(billing):
    long_name = billing.put(URL, {"kind": "entity", "legal_name": "x" * 301}, format="json")
    nul = billing.put(URL, {"kind": "entity", "legal_name": "Acme\x00"}, format="json")

    assert long_name.status_code == 400 and long_name.json()["errors"][0]["field"] == "legal_name"
    assert nul.status_code == 400 and nul.json()["errors"][0]["field"] == "legal_name"


def test_too_many_list_items_are_refused(billing):
    response = billing.put(URL, {"kind": "entity", "legal_name": "Acme", "aliases": ["a"] * 21}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "aliases"


def test_a_value_over_the_limit_is_refused_even_when_trimming_would_bring_it_within(billing):
    padded = billing.put(URL, {"kind": "entity", "legal_name": "\n" + "x" * 300}, format="json")

    assert padded.status_code == 400 and padded.json()["errors"][0]["field"] == "legal_name"
    assert not Customer.objects.exists()
