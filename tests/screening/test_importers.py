"""Reading the published formats: what each reader keeps, and how it refuses a malformed file."""

import json

import pytest

from licensing.screening.importers import ListFormatError, list_digest
from licensing.screening.importers.csl import merge_rows, read_csv, read_json
from licensing.screening.importers.ofac import read_sdn

from .conftest import CSL_SAMPLE, csl_csv, full_rows, ofac_bytes, sample_rows


def as_trade_gov_json(rows: list[dict]) -> bytes:
    """The same entries in the JSON export's shape: arrays for multi-valued fields, addresses as objects."""
    results = []
    for row in rows:
        item = {k: v for k, v in row.items() if k != "_id"}
        item["id"] = row["_id"]
        for column in ("programs", "alt_names", "citizenships", "dates_of_birth", "nationalities", "places_of_birth"):
            item[column] = [v for v in row[column].split("; ") if v]
        item["addresses"] = [
            {"address": a.rsplit(", ", 1)[0] if ", " in a else "", "country": a.rsplit(", ", 1)[-1]}
            for a in row["addresses"].split("; ")
            if a
        ]
        item["ids"] = [{"type": i} for i in row["ids"].split("; ") if i]
        results.append(item)
    return json.dumps({"total": len(results), "results": results}, indent=2).encode()


def test_the_csv_sample_reads_into_one_entry_per_party_with_countries_and_aliases():
    rows = read_csv(CSL_SAMPLE.read_bytes())
    entries = {e.name: e for e in merge_rows(rows)}
    assert len(rows) == len(sample_rows())
    rim = entries["RIM, Ryong Nam"]
    assert (rim.key, rim.list_code, rim.type, rim.countries) == ("SDN:52291", "SDN", "individual", ("CN", "KP"))
    assert entries["ROSNEFT TRADE LIMITED"].alt_names == ("TNK TRADE LIMITED",)
    atlas = entries["Atlas Sanatgaran"]
    assert (atlas.list_code, atlas.countries) == ("UVL", ("AM",))


def test_rows_that_repeat_a_party_merge_into_one_entry_with_both_addresses():
    rows = full_rows("SEMICONDUCTOR SYSTEMS INTL., INC. (SSI)")
    assert len(rows) == 2
    (entry,) = merge_rows(read_csv(csl_csv(rows)))
    assert entry.list_code == "DPL"
    assert entry.countries == ("DK", "US")
    assert "50 F.R. 45138" in entry.federal_register_notice


def test_the_json_export_reads_into_the_same_entries_as_the_csv():
    rows = sample_rows()
    from_csv = {e.key: e for e in merge_rows(read_csv(csl_csv(rows)))}
    from_json = {e.key: e for e in merge_rows(read_json(as_trade_gov_json(rows)))}
    assert from_json.keys() == from_csv.keys()
    for key, entry in from_csv.items():
        other = from_json[key]
        assert (other.name, other.alt_names, other.countries, other.type, other.programs) == (
            entry.name,
            entry.alt_names,
            entry.countries,
            entry.type,
            entry.programs,
        )


def test_the_digest_ignores_row_order_and_changes_with_any_entry():
    rows = sample_rows()
    digest = list_digest(merge_rows(read_csv(csl_csv(rows))))
    assert list_digest(merge_rows(read_csv(csl_csv(rows[::-1])))) == digest
    rows[3]["addresses"] = "Kaesong, KP"
    assert list_digest(merge_rows(read_csv(csl_csv(rows)))) != digest


def test_a_row_with_too_few_fields_is_refused_with_its_line():
    data = csl_csv(sample_rows()) + b'"abc","Entity List (EL) - Bureau of Industry and Security","Too short"\n'
    with pytest.raises(ListFormatError) as refused:
        read_csv(data, source="list.csv")
    assert refused.value.line == len(sample_rows()) + 2
    assert "expected 29 fields, found 3" in str(refused.value)
    assert str(refused.value).startswith("list.csv line")


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("name", "", "name is empty"),
        ("_id", "", "_id is empty"),
        ("type", "Spaceship", "type 'Spaceship' is not one of"),
        ("source", "Some list without a code", "does not name a list"),
    ],
)
def test_a_row_with_a_bad_value_is_refused_naming_the_field(column, value, reason):
    rows = sample_rows()
    rows[4][column] = value
    with pytest.raises(ListFormatError) as refused:
        read_csv(csl_csv(rows))
    assert refused.value.line == 6
    assert reason in refused.value.reason


def test_a_file_that_is_not_the_csl_is_refused_at_its_header():
    with pytest.raises(ListFormatError) as refused:
        read_csv(b"id,company,country\n1,Acme,US\n")
    assert refused.value.line == 1
    assert "no '_id', 'source', 'name' column" in refused.value.reason


def test_bytes_that_are_not_utf8_are_refused_with_their_line():
    data = csl_csv(sample_rows()[:3]).replace(b"Sinobright", b"Sinobr\xffght")
    with pytest.raises(ListFormatError) as refused:
        read_csv(data)
    assert refused.value.line == 2
    assert "not UTF-8" in refused.value.reason


@pytest.mark.parametrize("content", [b"", b"   \n", csl_csv([])])
def test_an_empty_file_is_refused(content):
    with pytest.raises(ListFormatError, match="empty|no entries"):
        read_csv(content)


def test_json_that_does_not_parse_is_refused_with_its_line():
    data = as_trade_gov_json(sample_rows()[:2]).replace(b'"programs"', b'"programs" :: ', 1)
    with pytest.raises(ListFormatError) as refused:
        read_json(data)
    assert refused.value.line is not None and refused.value.line > 1
    assert "not valid JSON" in refused.value.reason


def test_a_json_entry_without_a_name_is_refused_with_the_line_it_starts_on():
    document = json.loads(as_trade_gov_json(sample_rows()[:3]))
    document["results"][2]["name"] = ""
    text = json.dumps(document, indent=2)
    with pytest.raises(ListFormatError) as refused:
        read_json(text.encode())
    starts = [number for number, line in enumerate(text.splitlines(), 1) if line == "    {"]
    assert refused.value.line == starts[2]
    assert refused.value.reason == "name is empty"


def test_the_ofac_files_read_with_aliases_addresses_and_types():
    rows, entries = read_sdn(*(ofac_bytes(n) for n in ("sdn", "alt", "add")))
    assert rows == len(entries) == 7379
    by_key = {e.key: e for e in entries}
    cuba_bank = by_key["SDN:306"]
    assert cuba_bank.name == "BANCO NACIONAL DE CUBA"
    assert cuba_bank.type == "entity"
    assert "NATIONAL BANK OF CUBA" in cuba_bank.alt_names
    assert "CH" in cuba_bank.countries
    assert cuba_bank.programs == ("CUBA",)
    assert sum(1 for e in entries if e.type == "individual") > 3000


def test_an_ofac_alias_for_an_unknown_entry_is_refused_naming_the_file():
    sdn = b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
    alt = b'36,12,"aka","AERO-CARIBBEAN",-0- \n99,13,"aka","NOBODY",-0- \n'
    with pytest.raises(ListFormatError) as refused:
        read_sdn(sdn, alt, b"\x1a", names=("sdn.csv", "alt.csv", "add.csv"))
    assert (refused.value.source, refused.value.line) == ("alt.csv", 2)
    assert "ent_num 99 is not in the SDN file" in refused.value.reason


def test_ofac_empty_markers_and_the_end_of_file_character_are_understood():
    sdn = b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n\x1a'
    rows, (entry,) = read_sdn(sdn, b"\x1a", b'36,25,-0- ,"Havana","Cuba",-0- \n')
    assert rows == 1
    assert (entry.type, entry.remarks, entry.addresses, entry.countries) == ("entity", "", ("Havana, Cuba",), ("CU",))


def test_an_ofac_row_with_a_missing_column_is_refused_with_its_line():
    sdn = (
        b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
        b'173,"ANGLO-CARIBBEAN CO., LTD.",-0- ,"CUBA",-0- \n'
    )
    with pytest.raises(ListFormatError) as refused:
        read_sdn(sdn, b"", b"")
    assert (refused.value.source, refused.value.line) == ("sdn.csv", 2)
    assert "expected 12 fields" in refused.value.reason


def test_a_value_too_long_for_a_list_is_refused_with_its_line():
    rows = sample_rows()
    rows[1]["_id"] = "x" * 151
    with pytest.raises(ListFormatError) as refused:
        read_csv(csl_csv(rows))
    assert (refused.value.line, refused.value.reason) == (3, "_id is longer than 150 characters")
