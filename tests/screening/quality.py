"""Measure the matcher: listed names written the way customers write them, and names that are not listed.

Positives start from real entries and change them the ways real records
differ from the lists (`KINDS`): typos (anywhere, and in short words),
reordered names, dropped middle names and dropped middle words of a
company's name, Cyrillic transliterations, Wade-Giles for pinyin and Arabic
articles joined or split, punctuation dropped so parts run together, other
company-type words, aliases, names exactly as the list writes them (with its
`;`, a.k.a. and "and any successor" clauses), an alias sharing its telling
word with another entry, and a listed name that contains another entry's
shorter one. Negatives are realistic person and company names made by
Faker's locales (several scripts, and the non-Latin ones also romanised),
never drawn from the lists, and skipped if they happen to be listed.

The set is split in two by a hash of the listed entry's key (a negative by a
hash of its text): a development part the matcher is tuned on, and a test
part that is only reported. One entry's variations are all in one part.

Recall counts a positive when its entry is ranked first (an entry tied with
it at the top score counts as first: equal names cannot be told apart) and
scores at or above the threshold; the false-positive rate counts negatives
whose best score reaches the threshold.

Shared by the slow quality test and `bench/screening.py`.
"""

import hashlib
import random
import re
import statistics
import time
from dataclasses import dataclass

import icu
from faker import Faker
from normality import ascii_text
from rigour.names import remove_org_types

from licensing.screening.matching.index import IndexedEntry, Query, ScreeningIndex
from licensing.screening.matching.names import ENTITY, INDIVIDUAL, UNKNOWN, analyse, entry_names

DEV, TEST = "dev", "test"
KINDS = (
    "typo",
    "short_word_typo",
    "reordered",
    "dropped_middle_name",
    "dropped_middle_word",
    "transliteration",
    "romanisation",
    "glued",
    "company_suffix",
    "alias",
    "verbatim",
    "alias_sharing_a_word",
    "contains_a_shorter_name",
)
CYRILLIC_COUNTRIES = {"RU", "BY", "UA", "KZ", "KG", "TJ", "BG", "RS", "MK", "MN"}
CHINESE_COUNTRIES = {"CN", "HK", "TW", "MO"}
# Where names are mostly Arabic (or Persian, Pashto, Urdu) ones written in Latin letters.
ARABIC_NAME_COUNTRIES = {
    *("SA", "AE", "IQ", "SY", "LB", "JO", "YE", "OM", "QA", "KW", "BH", "EG", "LY", "TN", "DZ", "MA", "SD"),
    *("PS", "IR", "AF", "PK", "SO", "MR"),
}
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


def part_of(key: str) -> str:
    """The part of the set a listed entry (or a negative's text) belongs to, the same on every run."""
    return TEST if hashlib.sha256(key.encode()).digest()[0] % 2 else DEV


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


def _edit(word: str, rng: random.Random, operations=("substitute", "delete", "insert", "transpose")) -> str:
    at = rng.randrange(1, len(word))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    operation = rng.choice(operations)
    if operation == "substitute":
        return word[:at] + letter + word[at + 1 :]
    if operation == "delete":
        return word[:at] + word[at + 1 :]
    if operation == "insert":
        return word[:at] + letter + word[at:]
    if at < len(word) - 1:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:-2] + word[-1] + word[-2]


def _typo(name: str, rng: random.Random) -> str | None:
    words = _words(name)
    editable = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not editable:
        return None
    edits = 2 if len(name) >= 16 and len(editable) >= 2 else 1
    for i in rng.sample(editable, edits):
        words[i] = _edit(words[i], rng)
    return " ".join(words)


def _short_word_typo(name: str, rng: random.Random) -> str | None:
    # A transposed or wrong letter in a word of four to six letters: "Pinto" written "Pniot" is not this.
    words = _words(name)
    editable = [i for i, w in enumerate(words) if 4 <= len(w) <= 6 and w.isalpha()]
    if not editable:
        return None
    i = rng.choice(editable)
    edited = _edit(words[i], rng, ("substitute", "transpose"))
    if edited.lower() == words[i].lower():
        return None
    words[i] = edited
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


def _dropped_middle_word(name: str, rarest: str, rng: random.Random) -> str | None:
    # A company's name written without one of its inner words ("Almaz Antey Air Defence Concern"),
    # not its most telling one: without it, it is another name ("Shenzhen Technology").
    words = name.split()
    form = analyse(name, ENTITY)
    if form is None or len(form.tokens) < 3 or len(words) < 4:
        return None
    content = set(form.tokens) - {rarest}
    inner = [i for i in range(1, len(words) - 1) if re.sub(r"[^a-z0-9]", "", words[i].lower()) in content]
    if not inner:
        return None
    del words[rng.choice(inner)]
    return " ".join(words)


_TO_CYRILLIC = icu.Transliterator.createInstance("Latin-Russian/BGN")
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


# Pinyin syllables, and how Wade-Giles (as English-language records write it,
# without apostrophes) and Cantonese-influenced spellings write them.
_PINYIN_SYLLABLE = re.compile(
    r"(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ao|an|ei|en|er|ia|ie|in|iu|ou|ua|ui|un|uo|ue|a|e|i|o|u)"
)
_WADE_GILES_INITIAL = {"zh": "ch", "q": "ch", "j": "ch", "x": "hs", "z": "ts", "c": "ts", "r": "j"}
_WADE_GILES_VOICING = {"b": "p", "d": "t", "g": "k"}
_WADE_GILES_FINAL = {"ong": "ung", "ian": "ien", "ie": "ieh", "uo": "o", "ou": "ow"}


def _pinyin_syllables(token: str) -> list[tuple[str, str]] | None:
    syllables, at = [], 0
    while at < len(token):
        found = _PINYIN_SYLLABLE.match(token, at)
        if not found or found.end() == at:
            return None
        syllables.append((found.group(1) or "", found.group(2)))
        at = found.end()
    return syllables if len(syllables) <= 3 else None


def _wade_giles(word: str, rng: random.Random) -> str:
    syllables = _pinyin_syllables(word.lower())
    if not syllables:
        return word
    written = []
    for initial, final in syllables:
        initial = _WADE_GILES_INITIAL.get(initial, initial)
        if rng.random() < 0.7:
            initial = _WADE_GILES_VOICING.get(initial, initial)
        if initial in ("h", "k") and final == "e":
            final = "o"
        elif rng.random() < 0.8:
            final = _WADE_GILES_FINAL.get(final, final)
        written.append(initial + final)
    return "".join(written).title()


_ARTICLE = re.compile(r"^(AL|EL|UL|AD|AN|AR|AS|AZ|ABU|ABD|BIN|IBN)$", re.I)
_JOINED_ARTICLE = re.compile(r"^(AL|EL)([A-Z]{4,})$", re.I)


def _romanised(name: str, entry: IndexedEntry, rng: random.Random) -> str | None:
    """Wade-Giles for a Chinese name written in pinyin; an Arabic article joined to its word, or split from it."""
    words = re.split(r"([\s,\-]+)", name)
    # A company's name mixes English words ("Co", "Tech") with pinyin: only people's names are rewritten.
    if entry.countries & CHINESE_COUNTRIES and entry.type == INDIVIDUAL:
        changed = [_wade_giles(w, rng) if w.strip(" ,-") else w for w in words]
        text = "".join(changed)
        return text if text.lower() != name.lower() else None
    if not entry.countries & ARABIC_NAME_COUNTRIES:
        return None
    for i, word in enumerate(words):
        joined = _JOINED_ARTICLE.match(word)
        if joined and rng.random() < 0.5:
            words[i] = f"{joined.group(1)} {joined.group(2)}"
            return "".join(words)
        if _ARTICLE.match(word) and i + 2 < len(words) and words[i + 2]:
            words[i + 1] = rng.choice(("", " ")) if "-" in words[i + 1] else ""
            return "".join(words)
    return None


def _glued(name: str, rng: random.Random) -> str | None:
    """Punctuation dropped joins the parts ("AL-BANNA" / "ALBANNA", "X-111" / "X111"), or a particle is run on."""
    marks = [m.start() for m in re.finditer(r"(?<=\w)[-‐'’./](?=\w)", name)]
    if marks:
        at = rng.choice(marks)
        return name[:at] + name[at + 1 :]
    # "AL ISRAA" written "ALISRAA", "ABD AL" as "ABDAL", "DE SANTA" as "DESANTA".
    words = name.split(" ")
    short = [
        i
        for i in range(len(words) - 1)
        if words[i].isalpha() and words[i + 1].isalpha() and (len(words[i]) <= 3 or _ARTICLE.match(words[i]))
    ]
    if not short:
        return None
    i = rng.choice(short)
    return " ".join(words[:i] + [words[i] + words[i + 1]] + words[i + 2 :])


def _company_suffix(name: str, rng: random.Random) -> str | None:
    bare = re.sub(r"[\s,]+(co|corp)\.?$", "", remove_org_types(name).strip(" ,."), flags=re.I).strip(" ,.")
    if not bare:
        return None
    suffix = rng.choice([s for s in COMPANY_SUFFIXES if s.lower() not in name.lower()])
    return f"{suffix} {bare}" if suffix in ("OOO", "AO") else f"{bare} {suffix}"


@dataclass
class _Listed:
    """What the generator knows about the lists: every name's tokens, and which entries use each."""

    by_tokens: dict[tuple[str, ...], set[str]]
    token_entries: dict[str, set[str]]
    raw: dict[str, list[str]]


def _listed(entries: list[IndexedEntry], raw: dict[str, list[str]] | None) -> _Listed:
    by_tokens: dict[tuple[str, ...], set[str]] = {}
    token_entries: dict[str, set[str]] = {}
    for entry in entries:
        for text, _ in entry.names:
            form = analyse(text, entry.type)
            if form is not None:
                by_tokens.setdefault(tuple(sorted(form.tokens)), set()).add(entry.key)
                for token in form.tokens:
                    token_entries.setdefault(token, set()).add(entry.key)
    return _Listed(by_tokens, token_entries, raw or {})


def _verbatim(entry: IndexedEntry, listed: _Listed, rng: random.Random) -> str | None:
    # The list's own text, clauses and all; those with clauses first, they are the ones missed.
    raw = listed.raw.get(entry.key) or [entry.names[0][0]]
    clauses = [n for n in raw if re.search(r";|a\.?k\.?a|successor|\(", n, re.I)]
    if clauses:
        return rng.choice(clauses)
    return rng.choice(raw) if rng.random() < 0.25 else None


def _alias_sharing_a_word(entry: IndexedEntry, listed: _Listed, rng: random.Random) -> str | None:
    # An alias whose most telling word another entry's names also use.
    for text, is_alias in entry.names:
        form = analyse(text, entry.type) if is_alias else None
        if form is None:
            continue
        rarest = min(form.tokens, key=lambda t: len(listed.token_entries.get(t, ())))
        if len(listed.token_entries.get(rarest, ())) >= 2:
            return text
    return None


def _contains_a_shorter_name(entry: IndexedEntry, listed: _Listed, rng: random.Random) -> str | None:
    # A listed name holding all the words of another entry's shorter name ("Almaz, JSC" in "Almaz-Antey JSC ...").
    for text, _ in entry.names:
        form = analyse(text, entry.type)
        if form is None or not 2 <= len(set(form.tokens)) <= 6:
            continue
        tokens = sorted(set(form.tokens))
        for mask in range(1, 2 ** len(tokens) - 1):
            subset = tuple(t for bit, t in enumerate(tokens) if mask >> bit & 1)
            if listed.by_tokens.get(subset, set()) - {entry.key}:
                return text
    return None


def positives(
    entries: list[IndexedEntry],
    *,
    per_kind: int,
    part: str | None = None,
    seed: int = 7,
    raw: dict[str, list[str]] | None = None,
) -> list[Probe]:
    """Draw up to `per_kind` variations of real entries of `part` (dev, test, or both if None) for each kind."""
    rng = random.Random(seed)
    listed = _listed(entries, raw)
    shuffled = [e for e in entries if part is None or part_of(e.key) == part]
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
            elif kind == "short_word_typo":
                text = _short_word_typo(primary, rng)
            elif kind == "reordered" and entry.type == INDIVIDUAL:
                text = _reordered(primary, rng)
            elif kind == "dropped_middle_name" and entry.type == INDIVIDUAL:
                text = _dropped_middle(primary, rng)
            elif kind == "dropped_middle_word" and entry.type in (ENTITY, UNKNOWN):
                form = analyse(primary, ENTITY)
                rarest = min(form.tokens, key=lambda t: len(listed.token_entries.get(t, ()))) if form else ""
                text = _dropped_middle_word(primary, rarest, rng)
            elif kind == "transliteration":
                text = _transliterated(primary, entry, rng)
            elif kind == "romanisation":
                text = _romanised(primary, entry, rng)
            elif kind == "glued":
                text = _glued(primary, rng)
            elif kind == "company_suffix" and entry.type in (ENTITY, UNKNOWN) and analyse(primary, ENTITY).org_classes:
                text = _company_suffix(primary, rng)
            elif kind == "alias":
                aliases = [n for n, is_alias in entry.names if is_alias]
                text = rng.choice(aliases) if aliases else None
            elif kind == "verbatim":
                text = _verbatim(entry, listed, rng)
            elif kind == "alias_sharing_a_word":
                text = _alias_sharing_a_word(entry, listed, rng)
            elif kind == "contains_a_shorter_name":
                text = _contains_a_shorter_name(entry, listed, rng)
            if not text or not text.strip():
                continue
            # A variation that is exactly another entry's name is that entry's, not a variation: skip it.
            owners: set[str] = set()
            for name, _ in entry_names(text):
                form = analyse(name, entry.type)
                if form is not None:
                    owners |= listed.by_tokens.get(tuple(sorted(form.tokens)), set())
            if owners <= {entry.key}:
                probes.append(Probe(text=text, kind=kind, type=_probe_type(entry), entry_key=entry.key))
                made += 1
        # Spread the draws: the next kind starts elsewhere in the list.
        rng.shuffle(shuffled)
    return probes


def negatives(count: int, *, listed: set[tuple[str, ...]], part: str | None = None, seed: int = 11) -> list[Probe]:
    """Make `count` realistic person and company names of `part`, across locales and scripts, that are not listed."""
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
        # Names written in another script are as often met romanised ("梁鑫" as "Liang Xin").
        if not text.isascii() and rng.random() < 0.5:
            text = ascii_text(text).title()
        kind = INDIVIDUAL if is_person else ENTITY
        form = analyse(text, kind)
        if form is None or text in seen or tuple(sorted(form.tokens)) in listed:
            continue
        seen.add(text)
        if part is not None and part_of(text) != part:
            continue
        probes.append(Probe(text=text, kind="negative", type=kind))
    return probes


def listed_token_sets(entries: list[IndexedEntry]) -> set[tuple[str, ...]]:
    """Every listed name as a sorted token tuple, so a generated negative that is in fact listed is skipped."""
    return set(_listed(entries, None).by_tokens)


def top_scores(index: ScreeningIndex, probes: list[Probe]) -> list[float]:
    """The best score each probe gets, whichever entry gives it."""
    tops = []
    for probe in probes:
        results = index.search(Query(names=(probe.text,), type=probe.type), threshold=0.0, limit=1)
        tops.append(results[0].score if results else 0.0)
    return tops


def threshold_at_false_positive_rate(negative_tops: list[float], rate: float) -> float:
    """The lowest threshold that lets at most `rate` of the negatives through."""
    ordered = sorted(negative_tops)
    allowed = int(rate * len(ordered))
    return ordered[len(ordered) - allowed - 1] + 1e-6 if allowed < len(ordered) else 0.0


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


def entries_from_csl_rows(rows, raw: dict[str, list[str]] | None = None) -> list[IndexedEntry]:
    """Index entries straight from parsed CSL rows (for benchmarks that skip the database).

    `raw`, if given, is filled with each entry's names exactly as the list writes them.
    """
    from licensing.screening.importers.csl import merge_rows

    entries = []
    for number, entry in enumerate(merge_rows(rows)):
        if raw is not None:
            raw[entry.key] = [entry.name, *entry.alt_names]
        entries.append(
            IndexedEntry(
                id=number,
                key=entry.key,
                list_code=entry.list_code,
                type=entry.type,
                countries=frozenset(entry.countries),
                names=tuple(entry_names(entry.name, entry.alt_names)),
            )
        )
    return entries
