"""OFAC's SDN list in its legacy CSV files: sdn.csv, alt.csv (aliases) and add.csv (addresses).

The files have no header row; `-0-` means empty; alt and add rows join sdn
rows on the first column, the entry number. A file may end with an
end-of-file character (0x1A), which is ignored.
"""

import csv
import io

from . import ListFormatError, ParsedEntry, country_code, entry_type, unique
from .csl import decode

SDN_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks")
SOURCE_NAME = "Specially Designated Nationals (SDN) - Treasury Department"
SOURCE_URL = "https://sanctionslist.ofac.treas.gov/Home/SdnList"
EMPTY = "-0-"


def _rows(data: bytes, columns: tuple[str, ...], *, source: str, required: bool = False) -> list[tuple[int, dict]]:
    text = decode(data, source=source).rstrip("\x1a\r\n ")
    if not text.strip():
        if required:
            raise ListFormatError("the file is empty", source=source)
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    previous_end = 0
    try:
        for fields in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not fields or fields == [""]:
                continue
            if len(fields) != len(columns):
                raise ListFormatError(
                    f"expected {len(columns)} fields ({', '.join(columns)}), found {len(fields)}",
                    source=source,
                    line=line,
                )
            values = {c: ("" if f.strip() == EMPTY else f.strip()) for c, f in zip(columns, fields, strict=True)}
            if not values["ent_num"].isdigit() or len(values["ent_num"]) > 20:
                raise ListFormatError(f"ent_num {values['ent_num']!r} is not a number", source=source, line=line)
            rows.append((line, values))
    except csv.Error as error:
        raise ListFormatError(f"is not valid CSV ({error})", source=source, line=reader.line_num) from None
    return rows


def read_sdn(
    sdn: bytes, alt: bytes, add: bytes, *, names=("sdn.csv", "alt.csv", "add.csv")
) -> tuple[int, list[ParsedEntry]]:
    """Read and check the three files; return (number of sdn rows, entries)."""
    sdn_name, alt_name, add_name = names
    main_rows = _rows(sdn, SDN_COLUMNS, source=sdn_name, required=True)
    parties: dict[str, dict] = {}
    for line, values in main_rows:
        if values["ent_num"] in parties:
            raise ListFormatError(f"ent_num {values['ent_num']} appears twice", source=sdn_name, line=line)
        if not values["SDN_Name"]:
            raise ListFormatError("SDN_Name is empty", source=sdn_name, line=line)
        # OFAC leaves the type empty for entities.
        values["_type"] = entry_type(values["SDN_Type"] or "entity", source=sdn_name, line=line)
        values["_aliases"], values["_addresses"], values["_countries"] = [], [], []
        parties[values["ent_num"]] = values
    for line, values in _rows(alt, ALT_COLUMNS, source=alt_name):
        party = _party(parties, values, source=alt_name, line=line)
        if not values["alt_name"]:
            raise ListFormatError("alt_name is empty", source=alt_name, line=line)
        party["_aliases"].append(values["alt_name"])
    for line, values in _rows(add, ADD_COLUMNS, source=add_name):
        party = _party(parties, values, source=add_name, line=line)
        parts = [values["address"], values["city_state_postal"], values["country"]]
        address = ", ".join(p for p in parts if p)
        if address:
            party["_addresses"].append(address)
        code = country_code(values["country"])
        if code and code != "ZZ":
            party["_countries"].append(code)
    entries = [_entry(values) for values in parties.values()]
    return len(main_rows), entries


def _party(parties: dict, values: dict, *, source: str, line: int) -> dict:
    party = parties.get(values["ent_num"])
    if party is None:
        raise ListFormatError(
            f"ent_num {values['ent_num']} is not in the SDN file; are the files from one publication?",
            source=source,
            line=line,
        )
    return party


def _entry(values: dict) -> ParsedEntry:
    details = {
        name: values[column]
        for name, column in (
            ("title", "Title"),
            ("call_sign", "Call_Sign"),
            ("vessel_type", "Vess_type"),
            ("gross_tonnage", "Tonnage"),
            ("gross_registered_tonnage", "GRT"),
            ("vessel_flag", "Vess_flag"),
            ("vessel_owner", "Vess_owner"),
        )
        if values[column]
    }
    return ParsedEntry(
        key=f"SDN:{values['ent_num']}",
        list_code="SDN",
        source=SOURCE_NAME,
        name=values["SDN_Name"],
        type=values["_type"],
        entity_number=values["ent_num"],
        alt_names=unique(values["_aliases"]),
        addresses=unique(values["_addresses"]),
        countries=tuple(sorted(set(values["_countries"]))),
        programs=unique(values["Program"].replace("] [", ";").strip("[]").split(";")),
        remarks=values["Remarks"],
        source_list_url=SOURCE_URL,
        details=details,
    )
