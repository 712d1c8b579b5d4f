"""The matcher on real entries: the variations it must see through, and the names it must let pass."""

import pytest

from licensing.screening.importers.csl import merge_rows, read_csv
from licensing.screening.matching.index import CANDIDATES_PER_NAME, IndexedEntry, Query, ScreeningIndex
from licensing.screening.matching.names import analyse, entry_names
from licensing.screening.matching.scoring import (
    FIRST_LETTER_PENALTY,
    SAME_SOUND_SIMILARITY,
    TOKEN_SIMILARITY_FLOOR,
    token_similarity,
)

from .conftest import csl_csv, full_rows, rows_of_lists, sample_rows

THRESHOLD = 0.80


def _entries(rows):
    return [
        IndexedEntry(
            id=number,
            key=e.key,
            list_code=e.list_code,
            type=e.type,
            countries=frozenset(e.countries),
            names=tuple(entry_names(e.name, e.alt_names)),
        )
        for number, e in enumerate(merge_rows(read_csv(csl_csv(rows))))
    ]


# Real SDN entries the romanisation and middle-name tests are about.
SDN_NAMES = (
    "CJSC BELTECHEXPORT",
    "KLYUEV, Dmitry Vladislavovich",
    "CHERIZIER, Jimmy",
    "RI, Jong Won",
    "LAVASANI, Ahmad Navai",
    "DO, Phi Khanh",
    "OO, Tun Tun",
    "IVANOV, Vladimir Valeryevich",
    "IVANOV, Vladimir Aleksandrovich",
    "LLC SINTO",
    "AL-BANNA, Ibrahim",
    "ZHANG, Jicheng",
    "ZHOU, Yishan",
    "XU, Bin",
    "EP-CAS",
    "Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary thereof",
)


@pytest.fixture(scope="module")
def index():
    """The sample with the whole Entity List and Denied Persons List: enough names for word weights to be real."""
    return ScreeningIndex(
        _entries(sample_rows() + rows_of_lists("Entity List", "Denied Persons") + full_rows(*SDN_NAMES))
    )


def best(index, name, type="", countries=()):
    results = index.search(Query(names=(name,), type=type, countries=frozenset(countries)), threshold=0.0, limit=5)
    return results[0] if results else None


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        ("rosneft trade limited", "ROSNEFT TRADE LIMITED"),
        ("Rosneft Trade Ltd.", "ROSNEFT TRADE LIMITED"),
        ("ROSNEFT-TRADE, LIMITED", "ROSNEFT TRADE LIMITED"),
        ("Rosnéft Trade Limited", "ROSNEFT TRADE LIMITED"),
        ("Роснефть Трейд Лимитед", "ROSNEFT TRADE LIMITED"),
        ("OOO Rosneft Trade", "ROSNEFT TRADE LIMITED"),
        ("Rosneft Trade GmbH", "ROSNEFT TRADE LIMITED"),
        ("Shenzhen Guoweichip Technology Company Limited", "Shenzhen Guoweichip Technology Co., Ltd."),
        ("Ryong Nam Rim", "RIM, Ryong Nam"),
        ("Rim Ryong-Nam", "RIM, Ryong Nam"),
        ("Fathi QAR'AWI", "Fathi Mohammed QAR'AWI"),
        ("Mohammed Fathi Qarawi", "Fathi Mohammed QAR'AWI"),
        ("Pejman Kosarayanifard", "PEJMAN MAHMOOD KOSARAYANIFARD"),
        ("Pejman Mahmood Kosarayanyfard", "PEJMAN MAHMOOD KOSARAYANIFARD"),
        ("TNK Trade Limited", "ROSNEFT TRADE LIMITED"),
        ("MSP Bank AO", "SME BANK"),
        ("AASPT", "Academy of Aerospace Solid Propulsion Technology (AASPT)"),
    ],
)
def test_a_listed_party_is_found_through_the_ways_its_name_is_written(index, name, listed):
    match = best(index, name)
    assert match is not None and match.score >= THRESHOLD, (name, match)
    assert match.entry.names[0][0].rstrip(".") == listed.split(" (")[0].rstrip("."), match


@pytest.mark.parametrize(
    "name",
    [
        "Acme Analytics, Inc.",
        "Great Lakes University AI Lab",
        "Rosario Trading LLC",
        "Trade Limited",
        "Shenzhen Technology Co., Ltd.",
        "Mohammed Ali",
        "Ryan Nam",
        "Li Wei",
        "SME",
        "International Industrial Company",
        "Pinto",
    ],
)
def test_names_that_only_share_common_words_with_an_entry_are_not_hits(index, name):
    match = best(index, name)
    assert match is None or match.score < THRESHOLD, match


@pytest.mark.parametrize(
    ("name", "type", "listed"),
    [
        ("Белтехэкспорт", "", ("Beltechexport, CJSC", "CJSC BELTECHEXPORT")),
        ("Kliuew, Dmitry Vladislavovich", "individual", ("KLYUEV, Dmitry Vladislavovich",)),
        ("Djimmi Cherizier", "individual", ("CHERIZIER, Jimmy",)),
        ("Ри Джонг Вон", "individual", ("RI, Jong Won",)),
    ],
)
def test_a_name_romanised_another_way_is_found(index, name, type, listed):
    match = best(index, name, type=type)
    assert match is not None and match.score >= THRESHOLD, (name, match)
    assert match.entry.names[0][0] in listed, match


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        ("Ahmad Lavasani", "LAVASANI, Ahmad Navai"),
        ("Phi Do", "DO, Phi Khanh"),
        ("Tun Oo", "OO, Tun Tun"),
        ("Stephen Smith", "STEPHEN EDWARD SMITH"),
    ],
)
def test_a_person_named_without_a_middle_name_is_found(index, name, listed):
    match = best(index, name, type="individual")
    assert match is not None and match.score >= THRESHOLD, (name, match)
    assert match.entry.names[0][0] == listed, match


def test_which_middle_name_a_subject_leaves_out_does_not_rank_one_listed_person_above_another(index):
    results = index.search(Query(names=("Vladimir Ivanov",), type="individual"), threshold=THRESHOLD, limit=5)
    assert {r.entry.names[0][0] for r in results[:2]} == {
        "IVANOV, Vladimir Valeryevich",
        "IVANOV, Vladimir Aleksandrovich",
    }
    assert results[0].score == results[1].score


def test_a_name_without_the_listed_first_given_name_is_not_a_hit(index):
    without_first = best(index, "Edward Smith", type="individual")
    without_middle = best(index, "Stephen Smith", type="individual")
    assert without_first.matched_name == without_middle.matched_name == "STEPHEN EDWARD SMITH"
    assert without_first.score < THRESHOLD <= without_middle.score


def test_the_reasons_say_which_name_matched_and_what_differs(index):
    match = best(index, "Pejman Mahmood Kosarayanyfard", type="individual")
    assert match.matched_name == "PEJMAN MAHMOOD KOSARAYANIFARD"
    assert any("resembles the name 'PEJMAN MAHMOOD KOSARAYANIFARD'" in r for r in match.reasons)
    assert any("'kosarayanyfard'~'kosarayanifard'" in r for r in match.reasons)


def test_an_alias_match_says_it_matched_an_alias(index):
    match = best(index, "TNK Trade Limited")
    assert match.matched_alias
    assert any("alias 'TNK TRADE LIMITED'" in r for r in match.reasons)


@pytest.mark.parametrize(
    ("name", "type", "listed"),
    [
        (
            "Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary thereof",
            "",
            "Sinobright Import and Export Company",
        ),
        ("Sinobright Import and Export Company", "", "Sinobright Import and Export Company"),
        ("AL-BANNA, Ibrahim", "individual", "AL-BANNA, Ibrahim"),
        ("Rosneft Trade Ltd.", "", "ROSNEFT TRADE LIMITED"),
        ("EP-CAS", "", "EP-CAS"),
    ],
)
def test_a_name_as_the_list_writes_it_comes_first_with_a_score_of_1(index, name, type, listed):
    match = best(index, name, type=type)
    assert match.score == 1.0, match
    assert match.entry.names[0][0] == listed, match


@pytest.mark.parametrize(
    ("name", "type"),
    [
        ("Ibrahim AL-BANNA", "individual"),
        ("ALBANNA, Ibrahim", "individual"),
        ("Trade Limited Rosneft", ""),
        ("Rosneft Trade", ""),
    ],
)
def test_a_name_not_identical_after_normalisation_scores_below_1(index, name, type):
    match = best(index, name, type=type)
    assert THRESHOLD <= match.score < 1.0, match


def test_a_shorter_listed_name_inside_the_subjects_ranks_below_the_full_name():
    (row,) = full_rows("EP-CAS")
    short = dict(row, _id="short", entity_number="", name="CAS", type="Entity", alt_names="")
    index = ScreeningIndex(_entries([row, short]))
    results = index.search(Query(names=("EP-CAS",)), threshold=0.0)
    assert [r.matched_name for r in results] == ["EP-CAS", "CAS"]
    assert results[0].score == 1.0 > results[1].score
    assert best(index, "CAS").matched_name == "CAS"


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        ("ALBANNA, Ibrahim", "AL-BANNA, Ibrahim"),
        ("Ibrahim Albanna", "AL-BANNA, Ibrahim"),
        ("Ibrahim Al Banna", "AL-BANNA, Ibrahim"),
        ("Chang Chi-cheng", "ZHANG, Jicheng"),
        ("Chou Yi-shan", "ZHOU, Yishan"),
        ("Hsu Bin", "XU, Bin"),
    ],
)
def test_words_run_together_or_romanised_in_wade_giles_are_found(index, name, listed):
    match = best(index, name, type="individual")
    assert match is not None and match.score >= THRESHOLD, (name, match)
    assert match.entry.names[0][0] == listed, match


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        # Another given name, or a family name that is not a romanisation of the listed one.
        ("Ibrahim Albano", "AL-BANNA, Ibrahim"),
        ("Chen Bin", "XU, Bin"),
        ("Chang Wei", "ZHANG, Jicheng"),
    ],
)
def test_a_similar_looking_name_of_another_person_is_not_a_hit(index, name, listed):
    results = index.search(Query(names=(name,), type="individual"), threshold=THRESHOLD)
    assert listed not in [r.entry.names[0][0] for r in results], results


def test_the_subjects_country_ranks_an_entry_of_that_country_first():
    rows = full_rows("Wellgo International Industrial Limited")
    twin = dict(rows[0], _id="twin", addresses="DE", alt_names="")
    index = ScreeningIndex(_entries([rows[0], twin]))
    german = best(index, "Wellgo International Industrial Limited", countries={"DE"})
    chinese = best(index, "Wellgo International Industrial Limited", countries={"CN"})
    assert german.entry.key == "EL:twin"
    assert chinese.entry.key != "EL:twin"
    assert any("country DE is on the entry" in r for r in german.reasons)


def test_an_individual_ranks_below_an_entity_of_the_same_name_for_a_company():
    (row,) = full_rows("PEJMAN MAHMOOD KOSARAYANIFARD")
    person = dict(row, _id="person", type="Individual", source="Specially Designated Nationals (SDN) - Treasury")
    person["entity_number"] = "1"
    entity = dict(row, _id="entity", type="Entity", source=person["source"], entity_number="2")
    index = ScreeningIndex(_entries([person, entity]))
    results = index.search(Query(names=(row["name"],), type="entity"), threshold=0.0)
    assert [r.entry.key for r in results] == ["SDN:2", "SDN:1"]
    assert any("the entry is an individual" in r for r in results[1].reasons)


def test_the_threshold_decides_what_is_a_result(index):
    query = Query(names=("Pejman Kosarayanyfard",))
    score = index.search(query, threshold=0.0)[0].score
    assert index.search(query, threshold=score)
    assert not index.search(query, threshold=min(score + 0.01, 1.0))


def test_a_search_scores_only_a_few_candidates_whatever_the_size_of_the_lists(index):
    form = analyse("Limited Trading Company Technology Industrial International", "entity")
    assert index.name_count > CANDIDATES_PER_NAME
    assert len(index.candidates(form)) <= CANDIDATES_PER_NAME


def test_aliases_written_into_a_name_are_separate_names():
    assert entry_names("PEARL (A.K.A. NEI-CHIEN CHU) LI") == [("PEARL LI", False), ("NEI-CHIEN CHU", True)]
    assert entry_names("Cho Yan Nathan; a.k.a Nathan Man Man", ["Nathan Cho"]) == [
        ("Cho Yan Nathan", False),
        ("Nathan Man Man", True),
        ("Nathan Cho", True),
    ]
    assert entry_names("Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary thereof") == [
        ("Sinobright Import and Export Company", False)
    ]
    assert entry_names("Innovative Equipment, and its sub-units and successors") == [("Innovative Equipment", False)]
    assert entry_names("Dominguez, Carlos; Elint, S.A.") == [("Dominguez, Carlos", False), ("Elint, S.A", True)]


def test_a_subjects_parenthesised_acronym_is_not_screened_as_a_name_of_its_own():
    assert entry_names("Great Wall (HK) Trading", acronyms=False) == [("Great Wall Trading", False)]


def test_company_types_are_set_aside_as_one_class():
    ooo, llc = analyse("OOO Vympel", "entity"), analyse("Vympel Limited Liability Company", "entity")
    assert ooo.tokens == llc.tokens == ("vympel",)
    assert ooo.org_classes == llc.org_classes == {"LLC"}


def test_words_that_sound_alike_but_begin_differently_stay_below_the_pairing_floor():
    # token_similarity skips the sound of two words whose first letters differ, which is only
    # right while a same-sound pair, less the first-letter penalty, stays below the floor.
    assert SAME_SOUND_SIMILARITY - FIRST_LETTER_PENALTY < TOKEN_SIMILARITY_FLOOR
    assert token_similarity("treid", "trade") == SAME_SOUND_SIMILARITY
