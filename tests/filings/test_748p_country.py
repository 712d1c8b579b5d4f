"""The application's own country of ultimate destination, as the BIS-748P files it."""

from licensing.cases.models import LicenceApplication

from .pdf_reading import heading, pdf_text, words


def destination_block(path) -> str:
    """The words printed under the 'Country of ultimate destination' heading, in the same box."""
    found = words(path)
    label = heading(found, "Country", "of", "ultimate", "destination")
    below = [w for w in found if w.page == label.page and 0 < w.y0 - label.y1 < 20 and abs(w.x0 - label.x0) < 120]
    # The value's own line: the first one under the heading.
    line = min((w.y0 for w in below), default=None)
    return " ".join(w.text for w in sorted(below, key=lambda w: w.x0) if abs(w.y0 - line) < 2)


def test_the_748p_files_the_applications_country_of_ultimate_destination(draft, render):
    LicenceApplication.objects.filter(pk=draft.pk).update(country_id="DE")

    filing, path = render(draft, "bis_748p")

    assert "Country of ultimate destination" in pdf_text(path)
    assert destination_block(path) == "Germany (DE)"
    assert filing.page_count == 1


def test_a_deemed_export_files_its_attribution_country_not_where_the_release_happens(deemed_draft, render):
    # Daniel Levin's most recent citizenship is Israel's; the release happens in a U.S. lab (734.13(b)).
    LicenceApplication.objects.filter(pk=deemed_draft.pk).update(country_id="IL")

    _, path = render(deemed_draft, "bis_748p")

    assert destination_block(path) == "Israel (IL)"


def test_an_application_older_than_its_country_files_its_transactions_destination(draft, render):
    LicenceApplication.objects.filter(pk=draft.pk).update(country=None)

    _, path = render(draft, "bis_748p")

    assert destination_block(path) == "Germany (DE)"
