"""Measure the matcher: listed names written the way customers write them, and names that are not listed.

Positives start from real entries and change them the ways real records
differ from the lists: typos, reordered names, dropped middle names,
transliterations, other company-type words, aliases. Negatives are realistic
names from Faker's locales (persons and companies, several scripts) that are
not on the lists. Recall counts a positive when its entry is ranked first (an
entry tied with it at the top score counts as first: equal names cannot be
told apart) and scores at or above the threshold; the false-positive rate
counts negatives whose best score reaches the threshold.

Shared by the slow quality test and `bench/screening.py`.
"""

import random
import re
import statistics
import time
from dataclasses import dataclass

import icu
from faker import Faker
from rigour.names import remove_org_types

from licensing.screening.matching.index import IndexedEntry, Query, ScreeningIndex
from licensing.screening.matching.names import ENTITY, INDIVIDUAL, UNKNOWN, analyse, entry_names

KINDS = ("typo", "reordered", "dropped_middle_name", "transliteration", "company_suffix", "alias")
CYRILLIC_COUNTRIES = {"RU", "BY", "UA", "KZ", "KG", "TJ", "BG", "RS", "MK", "MN"}
COMPANY_SUFFIXES = (
    "LLC",
    "Ltd",
    "Co., Ltd.",
    "Company Limited",
    "GmbH",
    "OOO",
    "JSC",
    "Limited Liability Company",
    "Inc.",
    "S.A.",
    "Corp.",
    "AO",
)
# Common ways one name is romanised differently (Arabic, Persian, Russian, Chinese names in Latin letters).
ROMANISATIONS = (
    ("mohammad", "muhammad"),
    ("mohammed", "muhammad"),
    ("mohamed", "mohammed"),
    ("ou", "u"),
    ("kh", "h"),
    ("iy", "y"),
    ("yev", "ev"),
    ("ei", "ey"),
    ("j", "dj"),
    ("q", "k"),
    ("ee", "i"),
    ("ph", "f"),
    ("y", "i"),
    ("ts", "tz"),
    ("sh", "sch"),
    ("v", "w"),
    ("x", "ks"),
)
FAKER_LOCALES = (
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "pl_PL",
    "nl_NL",
    "pt_BR",
    "tr_TR",
    "ru_RU",
    "uk_UA",
    "zh_CN",
    "zh_TW",
    "ja_JP",
    "ko_KR",
    "ar_AA",
    "fa_IR",
    "hi_IN",
    "vi_VN",
    "id_ID",
    "he_IL",
    "el_GR",
    "es_MX",
)


@dataclass(frozen=True)
class Probe:
    text: str
    kind: str
    type: str
    entry_key: str | None = None


@dataclass
class Quality:
    threshold: float
    positives: int
    negatives: int
    recall: float
    false_positive_rate: float
    recall_by_kind: dict
    misses: list
    false_positives: list
    seconds_per_name: list

    def latency_ms(self, percentile: float) -> float:
        ordered = sorted(self.seconds_per_name)
        return ordered[min(len(ordered) - 1, int(percentile * len(ordered)))] * 1000

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.seconds_per_name) * 1000


def _probe_type(entry: IndexedEntry) -> str:
    return entry.type if entry.type in (INDIVIDUAL, ENTITY) else UNKNOWN


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", text) if w]


def _typo(name: str, rng: random.Random) -> str | None:
    words = _words(name)
    editable = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not editable:
        return None
    edits = 2 if len(name) >= 16 and len(editable) >= 2 else 1
    for i in rng.sample(editable, edits):
        word = words[i]
        at = rng.randrange(1, len(word))
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
        operation = rng.choice(("substitute", "delete", "insert", "transpose"))
        if operation == "substitute":
            word = word[:at] + letter + word[at + 1 :]
        elif operation == "delete":
            word = word[:at] + word[at + 1 :]
        elif operation == "insert":
            word = word[:at] + letter + word[at:]
        elif at < len(word) - 1:
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        else:
            word = word[:-2] + word[-1] + word[-2]
        words[i] = word
    return " ".join(words)


def _reordered(name: str, rng: random.Random) -> str | None:
    words = _words(name)
    if len(words) < 2:
        return None
    # "RIM, Ryong Nam" becomes "Ryong Nam RIM": the family name moves to the end.
    return " ".join(words[1:] + words[:1])


def _dropped_middle(name: str, rng: random.Random) -> str | None:
    # "FAMILY, Given Middle Other": the middle names follow the given name;
    # "Given Middle Family": they sit between the first and the last word.
    if "," in name:
        family, _, given = name.partition(",")
        words = _words(given)
        if len(words) < 2:
            return None
        del words[rng.randrange(1, len(words))]
        return f"{family.strip()}, {' '.join(words)}"
    words = _words(name)
    if len(words) < 3:
        return None
    del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


_TO_CYRILLIC = icu.Transliterator.createInstance("Latin-Russian/BGN")
# Letters the BGN romanisation of Russian never uses, as a Russian writer would render them.
# Latin letters Russian has no letter for, as a Russian writer would spell
# them. "ch" is left alone: it is ч in a romanised Russian name.
_FOREIGN_LETTERS = (("ck", "k"), (r"c(?!h)", "k"), ("w", "v"), ("q", "k"), ("x", "ks"), ("j", "dzh"))


def _to_cyrillic(text: str) -> str:
    lowered = text.lower()
    for latin, replacement in _FOREIGN_LETTERS:
        lowered = re.sub(latin, replacement, lowered)
    return _TO_CYRILLIC.transliterate(lowered.title())


def _transliterated(name: str, entry: IndexedEntry, rng: random.Random) -> str | None:
    if any(ch.isdigit() for ch in name):
        return None
    if entry.countries & CYRILLIC_COUNTRIES:
        if entry.type == INDIVIDUAL:
            return _to_cyrillic(name)
        # A Russian company writes its own name in Cyrillic with a Russian legal
        # form; English words in its listed name would be translated, not transliterated.
        form = analyse(name, ENTITY)
        bare = remove_org_types(name).strip(" ,.")
        if form is None or not bare or len(_words(bare)) > 2:
            return None
        prefix = {"JSC": "АО ", "LLC": "ООО "}.get(next(iter(form.org_classes), ""), "")
        return prefix + _to_cyrillic(bare)
    if entry.type != INDIVIDUAL:
        return None
    lowered = name.lower()
    applicable = [(a, b) for a, b in ROMANISATIONS if a in lowered]
    if not applicable:
        return None
    for a, b in rng.sample(applicable, min(2, len(applicable))):
        lowered = lowered.replace(a, b, 1)
    return lowered.title()


def _company_suffix(name: str, rng: random.Random) -> str | None:
    bare = re.sub(r"[\s,]+(co|corp)\.?$", "", remove_org_types(name).strip(" ,."), flags=re.I).strip(" ,.")
    if not bare:
        return None
    suffix = rng.choice([s for s in COMPANY_SUFFIXES if s.lower() not in name.lower()])
    return f"{suffix} {bare}" if suffix in ("OOO", "AO") else f"{bare} {suffix}"


def _names_by_tokens(entries: list[IndexedEntry]) -> dict[tuple[str, ...], set[str]]:
    found: dict[tuple[str, ...], set[str]] = {}
    for entry in entries:
        for text, _ in entry.names:
            form = analyse(text, entry.type)
            if form is not None:
                found.setdefault(tuple(sorted(form.tokens)), set()).add(entry.key)
    return found


def positives(entries: list[IndexedEntry], *, per_kind: int, seed: int = 7) -> list[Probe]:
    """Draw `per_kind` variations of real entries for each kind of variation."""
    rng = random.Random(seed)
    # A variation that is exactly another entry's name is that entry's, not a variation: skip it.
    listed = _names_by_tokens(entries)
    shuffled = list(entries)
    rng.shuffle(shuffled)
    probes: list[Probe] = []
    for kind in KINDS:
        made = 0
        for entry in shuffled:
            if made >= per_kind:
                break
            primary = entry.names[0][0]
            if analyse(primary, entry.type) is None:
                continue
            text = None
            if kind == "typo":
                text = _typo(primary, rng)
            elif kind == "reordered" and entry.type == INDIVIDUAL:
                text = _reordered(primary, rng)
            elif kind == "dropped_middle_name" and entry.type == INDIVIDUAL:
                text = _dropped_middle(primary, rng)
            elif kind == "transliteration":
                text = _transliterated(primary, entry, rng)
            elif kind == "company_suffix" and entry.type in (ENTITY, UNKNOWN) and analyse(primary, ENTITY).org_classes:
                text = _company_suffix(primary, rng)
            elif kind == "alias":
                aliases = [n for n, is_alias in entry.names if is_alias]
                text = rng.choice(aliases) if aliases else None
            form = analyse(text, entry.type) if text and text.strip() else None
            if form is not None and listed.get(tuple(sorted(form.tokens)), {entry.key}) <= {entry.key}:
                probes.append(Probe(text=text, kind=kind, type=_probe_type(entry), entry_key=entry.key))
                made += 1
        # Spread the draws: the next kind starts elsewhere in the list.
        rng.shuffle(shuffled)
    return probes


def negatives(count: int, *, listed: set[tuple[str, ...]], seed: int = 11) -> list[Probe]:
    """Make `count` realistic person and company names, across locales and scripts, that are not listed."""
    fakers = []
    for number, locale in enumerate(FAKER_LOCALES):
        faker = Faker(locale)
        faker.seed_instance(seed + number)
        fakers.append(faker)
    rng = random.Random(seed)
    probes: list[Probe] = []
    seen: set[str] = set()
    while len(probes) < count:
        faker = rng.choice(fakers)
        is_person = rng.random() < 0.5
        text = faker.name() if is_person else faker.company()
        kind = INDIVIDUAL if is_person else ENTITY
        form = analyse(text, kind)
        if form is None or text in seen or tuple(sorted(form.tokens)) in listed:
            continue
        seen.add(text)
        probes.append(Probe(text=text, kind="negative", type=kind))
    return probes


def listed_token_sets(entries: list[IndexedEntry]) -> set[tuple[str, ...]]:
    """Every listed name as a sorted token tuple, so a generated negative that is in fact listed is skipped."""
    found = set()
    for entry in entries:
        for text, _ in entry.names:
            form = analyse(text, entry.type)
            if form is not None:
                found.add(tuple(sorted(form.tokens)))
    return found


def measure(index: ScreeningIndex, probes: list[Probe], *, threshold: float) -> Quality:
    """Screen every probe and count recall, false positives and time per name."""
    hits_by_kind: dict[str, list[bool]] = {}
    misses, false_positives, seconds = [], [], []
    positives_found = negatives_flagged = positive_count = negative_count = 0
    for probe in probes:
        started = time.perf_counter()
        results = index.search(Query(names=(probe.text,), type=probe.type), threshold=0.0, limit=10)
        seconds.append(time.perf_counter() - started)
        top = results[0].score if results else 0.0
        if probe.entry_key is None:
            negative_count += 1
            if results and top >= threshold:
                negatives_flagged += 1
                false_positives.append((probe.text, results[0].matched_name, round(top, 3)))
            continue
        positive_count += 1
        found = any(m.entry.key == probe.entry_key and m.score >= max(top, threshold) for m in results)
        hits_by_kind.setdefault(probe.kind, []).append(found)
        if found:
            positives_found += 1
        else:
            best = results[0].matched_name if results else None
            mine = next((round(m.score, 3) for m in results if m.entry.key == probe.entry_key), None)
            misses.append((probe.kind, probe.text, best, round(top, 3), mine))
    return Quality(
        threshold=threshold,
        positives=positive_count,
        negatives=negative_count,
        recall=positives_found / max(positive_count, 1),
        false_positive_rate=negatives_flagged / max(negative_count, 1),
        recall_by_kind={kind: sum(found) / len(found) for kind, found in hits_by_kind.items()},
        misses=misses,
        false_positives=false_positives,
        seconds_per_name=seconds,
    )


def entries_from_csl_rows(rows) -> list[IndexedEntry]:
    """Index entries straight from parsed CSL rows (for benchmarks that skip the database)."""
    from licensing.screening.importers.csl import merge_rows

    return [
        IndexedEntry(
            id=number,
            key=entry.key,
            list_code=entry.list_code,
            type=entry.type,
            countries=frozenset(entry.countries),
            names=tuple(entry_names(entry.name, entry.alt_names)),
        )
        for number, entry in enumerate(merge_rows(rows))
    ]
