"""Block 19 of a deemed export: the foreign national's address, from their person record."""

import datetime

from licensing.cases.models import ApplicationParty
from licensing.cases.prefiling import check_application
from licensing.parties import services as parties
from licensing.reference.models import Country

from .pdf_reading import first_page_png, heading, pdf_text, words

DAY = datetime.timedelta(days=1)


def block_19(path) -> str:
    """The words printed in block 19's box: right of its heading's left edge, below it, above block 21."""
    found = words(path)
    label = heading(found, "19", "End", "user")
    below = heading(found, "20", "Original")
    inside = [
        w
        for w in found
        if w.page == label.page and label.y1 < w.y0 < below.y0 and w.x0 >= label.x0 - 2 and w.x0 < label.x0 + 280
    ]
    return " ".join(w.text for w in sorted(inside, key=lambda w: (round(w.y0), w.x0)))


def test_block_19_is_empty_of_an_address_while_the_person_has_none(deemed_draft, render):
    _, path = render(deemed_draft, "bis_748p")

    assert "Daniel Levin" in block_19(path)
    assert "Massachusetts" not in pdf_text(path)


def test_block_19_gives_the_address_the_person_lives_at(deemed_draft, render, officer, today):
    person = deemed_draft.person
    parties.record_person_address(
        actor=officer,
        person=person,
        since_on=today - 400 * DAY,
        line1="12 Elm Street",
        city="Somerville",
        region="MA",
        postal_code="02144",
        country=Country.objects.get(pk="US"),
    )
    parties.record_person_address(
        actor=officer,
        person=person,
        since_on=today - 3 * DAY,
        line1="77 Massachusetts Ave",
        line2="Building 32",
        city="Cambridge",
        region="MA",
        postal_code="02139",
        country=Country.objects.get(pk="US"),
    )

    filing, path = render(deemed_draft, "bis_748p")

    text = block_19(path)
    assert "Daniel Levin" in text
    assert "77 Massachusetts Ave, Building 32" in text
    assert "Cambridge, MA" in text and "02139" in text and "United States" in text
    # The address he moved out of is history, not block 19.
    assert "Elm" not in pdf_text(path)
    assert filing.page_count == 1
    first_page_png(path, "bis_748p_deemed_end_user_address")


def test_an_address_typed_on_the_party_wins_over_the_person_record(deemed_draft, render, officer, today):
    parties.record_person_address(
        actor=officer,
        person=deemed_draft.person,
        line1="77 Massachusetts Ave",
        city="Cambridge",
        country=Country.objects.get(pk="US"),
    )
    ApplicationParty.objects.filter(application=deemed_draft, role=ApplicationParty.Role.END_USER).update(
        address="1 Lab Way", city="Ann Arbor"
    )

    _, path = render(deemed_draft, "bis_748p")

    assert "1 Lab Way" in block_19(path) and "Massachusetts" not in pdf_text(path)


def test_the_pre_filing_check_accepts_block_19_once_the_person_has_an_address(deemed_draft, officer, today):
    def block_19_problems():
        return [p for p in check_application(deemed_draft, today=today) if p.block.startswith("19")]

    assert any("no full address" in p.message for p in block_19_problems())

    parties.record_person_address(
        actor=officer,
        person=deemed_draft.person,
        line1="77 Massachusetts Ave",
        city="Cambridge",
        country=Country.objects.get(pk="US"),
    )

    assert not [p for p in block_19_problems() if "no full address" in p.message]


def test_the_record_the_filings_hash_covers_holds_the_address_block_19_gives(deemed_draft, officer, today):
    from licensing.filings.snapshot import application_record, load_application, record_sha256

    def end_user_as_filed():
        record = application_record(load_application(deemed_draft.pk))
        (end_user,) = [party for party in record["parties"] if party["role"] == ApplicationParty.Role.END_USER]
        return end_user["address_as_filed"], record_sha256(record)

    nowhere, before = end_user_as_filed()
    parties.record_person_address(
        actor=officer,
        person=deemed_draft.person,
        since_on=today - 3 * DAY,
        line1="77 Massachusetts Ave",
        city="Cambridge",
        postal_code="02139",
        country=Country.objects.get(pk="US"),
    )
    address, after = end_user_as_filed()

    assert nowhere[:3] == ["", "", ""]
    assert address[0].startswith("77 Massachusetts Ave") and address[3] == "United States"
    # A filing rendered after the move says it rests on another record than one rendered before.
    assert after != before
