"""Names as the matcher compares them.

The heavy lifting is OpenSanctions' rigour: it case-folds, strips accents and
punctuation, latinizes Cyrillic, Greek, Armenian, Georgian and Hangul, removes
honorifics, and recognises company-type words in many languages (LLC, OOO,
GmbH, Co Ltd, PJSC...) as one class each. Scripts rigour leaves as they are
(Arabic, Chinese, Japanese) are transliterated with normality. What remains
here is the shape the index and the scorer need: the content tokens, the
company-type classes apart, where a person's first given name and middle
names are, a romanisation key that spells a word the one way its
romanisations share, and the list-specific habits of the U.S. lists (aliases
written inside a name with "a.k.a.", acronyms in parentheses).
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from normality import ascii_text
from rigour.names import NamePartTag, NameTypeTag, SymbolCategory, analyze_names

# The entry and subject types the lists use, as the matcher names them.
INDIVIDUAL = "individual"
ENTITY = "entity"
VESSEL = "vessel"
AIRCRAFT = "aircraft"
UNKNOWN = ""
TYPES = (INDIVIDUAL, ENTITY, VESSEL, AIRCRAFT)

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")
_NOT_ALPHANUMERICS = re.compile(r"[^a-z0-9]+")
_RIGOUR_TYPE = {
    INDIVIDUAL: NameTypeTag.PER,
    ENTITY: NameTypeTag.ORG,
    VESSEL: NameTypeTag.OBJ,
    AIRCRAFT: NameTypeTag.OBJ,
    # Not ENT: its tagging loads the person-name tables too (~250 MB) for no gain here.
    UNKNOWN: NameTypeTag.ORG,
}


@dataclass(frozen=True, slots=True)
class NameForm:
    """One name reduced to what is compared: content tokens in order and company-type classes."""

    text: str
    tokens: tuple[str, ...]
    org_classes: frozenset[str]
    # Positions of tokens transliterated from Chinese, Japanese or Arabic
    # script: their syllables are short and a letter apart names another
    # person, so they pair only when equal.
    exact_only: frozenset[int] = frozenset()
    # A person's name as the lists write it: "FAMILY, Given Middle" or
    # "Given Middle Family". People leave out middle names, rarely the first
    # given name, so a listed name missing from a subject's is weighed by
    # which of these it is.
    first_given: int | None = None
    middle: frozenset[int] = frozenset()
    # The whole name after normalisation, every word kept and each company
    # type written as its class: two names are identical when their keys are.
    key: str = ""
    # The words as written (company types too), run together: a name whose
    # punctuation was dropped ("AL-BANNA" / "ALBANNA") compacts the same.
    compact: str = ""
    # The words as written, in order: where two of them may be run together.
    words: tuple[str, ...] = ()


def analyse(text: str, kind: str = UNKNOWN) -> NameForm | None:
    """Reduce a name to its comparable form; None if nothing comparable is left."""
    tag = _RIGOUR_TYPE.get(kind, NameTypeTag.ENT)
    # Symbols (rigour's tagging) find company types; for persons they would
    # load rigour's given-name tables (~400 MB, seconds to build) for no
    # measured gain in recall, so persons go without.
    analysed = analyze_names(tag, [text], consolidate=False, phonetics=False, symbols=tag != NameTypeTag.PER)
    if not analysed:
        return None
    name = next(iter(analysed))
    legal_parts: dict[int, str] = {}
    org_classes = set()
    for span in name.spans:
        if span.symbol.category == SymbolCategory.ORG_CLASS:
            org_classes.add(span.symbol.id)
            legal_parts.update((part.index, str(span.symbol.id)) for part in span.parts)
    tokens: list[str] = []
    exact_only: set[int] = set()
    key: list[str] = []
    written: list[str] = []
    for part in name.parts:
        # Arabic, Chinese, Japanese: rigour keeps the script; compare a transliteration.
        # rigour's comparable forms are letters and digits already.
        if part.latinize:
            words = [part.comparable]
        else:
            words = [w for w in (_NOT_ALPHANUMERIC.sub("", w) for w in ascii_text(part.form).lower().split()) if w]
        spelled = "".join(words)
        written.append(spelled)
        legal = legal_parts.get(part.index)
        if legal is not None:
            if not key or key[-1] != legal:
                key.append(legal)
            continue
        key.append(spelled)
        if part.tag == NamePartTag.LEGAL:
            continue
        # rigour's stopwords include name syllables ("Do", "Un", "Ja" in
        # Vietnamese and Korean names); in a person's name they stay, weighed
        # by how common they are on the lists like every other word.
        if part.tag == NamePartTag.STOP and tag != NameTypeTag.PER:
            continue
        for word in words:
            if word:
                if not part.latinize:
                    exact_only.add(len(tokens))
                tokens.append(word)
    if not tokens:
        return None
    # rigour spells company types one way ("limited" as "ltd"); run together, words are as written.
    literal = [w for w in _NOT_ALPHANUMERICS.split(text.lower()) if w] if text.isascii() else written
    first_given, middle = _given_name_positions(text, kind, len(tokens), bool(org_classes))
    return NameForm(
        text=text,
        tokens=tuple(tokens),
        org_classes=frozenset(org_classes),
        exact_only=frozenset(exact_only),
        first_given=first_given,
        middle=middle,
        key=" ".join(w for w in key if w),
        compact="".join(literal),
        words=tuple(literal),
    )


def _given_name_positions(text: str, kind: str, count: int, company: bool) -> tuple[int | None, frozenset[int]]:
    """Where a person's first given name is among the tokens, and which tokens are middle names."""
    # The Entity List gives no type: a name without a company-type word may be a person's.
    if kind not in (INDIVIDUAL, UNKNOWN) or company:
        return None, frozenset()
    family, comma, _ = text.partition(",")
    if comma:
        first_given = _token_count(family, kind)
        if first_given >= count:
            return None, frozenset()
        return first_given, frozenset(range(first_given + 1, count))
    # "Given Middle Family": the last word is the family name.
    return 0, frozenset(range(1, count - 1))


# Family names recur on the lists (a third of the listed persons' names share theirs with another).
@lru_cache(maxsize=20_000)
def _token_count(text: str, kind: str) -> int:
    form = analyse(text, kind)
    return len(form.tokens) if form else 0


# One sound written the ways different romanisations write it (BGN/PCGN,
# French and German habits, Arabic and Persian names in English): "Dzhong"
# and "Jong", "Klyuev" and "Kliuew", "Beltekheksport" and "Beltechexport",
# "Qayoum" and "Kaioum". Reduced to one spelling, they compare as equal.
# Applied in order: later rules see what earlier ones wrote.
_ROMANISATION_VARIANTS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"dzh|dj", "j"),
        (r"sch", "sh"),
        (r"kh", "h"),
        # Not first: an initial "Ch" is mostly Chinese or English ("Chen", "Chai"), not a Russian "kh".
        (r"(?<=.)ch", "h"),
        (r"gh", "g"),
        (r"ph", "f"),
        (r"x", "ks"),
        (r"tz", "ts"),
        (r"c(?=[eiy])", "ts"),
        (r"[cq]", "k"),
        (r"w", "v"),
        (r"y", "i"),
        (r"ee", "i"),
        (r"o[ou]", "u"),
        (r"(.)\1+", r"\1"),
    )
)


@lru_cache(maxsize=200_000)
def romanisation_key(token: str) -> str:
    """Spell a comparable token the one way its romanisations share ("klyuev" and "kliuew" give "kliuev")."""
    for pattern, replacement in _ROMANISATION_VARIANTS:
        token = pattern.sub(replacement, token)
    return token


# Chinese names in Latin letters are written in pinyin or, in older and
# Taiwanese records, in Wade-Giles without its apostrophes (Zhang / Chang,
# Xu / Hsu, Zhou / Chou, He / Ho), or as Cantonese speakers write them
# (Chow). No maintained library maps one to the other without the Chinese
# characters, so a word that reads as one to three syllables of either is
# keyed by the sound classes the two systems share: an initial written
# zh/ch/j/q in one is ch in the other, x is hs, z/c is ts/tz, and Wade-Giles
# without apostrophes does not tell b from p, d from t or g from k.
_CHINESE_INITIALS = r"zh|ch|sh|hs|ts|tz|[bpmfdtnlgkhjqxrzcsyw]"
_CHINESE_FINALS = (
    r"iung|iang|iong|uang|ang|eng|ing|ong|ung|ien|ian|iao|ieh|uai|uan|ai|ao|an|ei|en|er|ia|ie|ih|in|iu|ou|ow"
    r"|ua|ui|un|uo|ue|a|e|i|o|u"
)
# A syllable without an initial begins with a, e or o ("an", "ou"): "uo" alone is no syllable.
_CHINESE_BARE_FINALS = r"ang|ai|ao|an|a|eng|ei|en|er|e|ong|ou|ow|o"


def _chinese_syllable(n: int) -> str:
    return rf"(?:(?P<i{n}>{_CHINESE_INITIALS})(?P<f{n}>{_CHINESE_FINALS})|(?P<v{n}>{_CHINESE_BARE_FINALS}))"


_CHINESE_WORD = re.compile(f"{_chinese_syllable(0)}(?:{_chinese_syllable(1)})?(?:{_chinese_syllable(2)})?")
_CHINESE_INITIAL = {
    **dict.fromkeys(("zh", "ch", "j", "q"), "C"),
    **dict.fromkeys(("x", "hs"), "S"),
    **dict.fromkeys(("z", "c", "ts", "tz"), "Z"),
    **dict.fromkeys(("b", "p"), "P"),
    **dict.fromkeys(("d", "t"), "T"),
    **dict.fromkeys(("g", "k"), "K"),
}
_CHINESE_FINAL = {"ung": "ong", "iung": "iong", "ien": "ian", "ieh": "ie", "ih": "i", "ow": "ou", "uo": "o", "e": "o"}


@lru_cache(maxsize=200_000)
def chinese_syllable_key(token: str) -> str | None:
    """The sound classes of a word that reads as one to three Chinese syllables ("chang", "zhang": "Cang")."""
    found = _CHINESE_WORD.fullmatch(token) if 2 <= len(token) <= 12 else None
    if found is None:
        return None
    syllables = []
    for n in range(3):
        initial, final = found.group(f"i{n}") or "", found.group(f"f{n}") or found.group(f"v{n}")
        if final:
            syllables.append(_CHINESE_INITIAL.get(initial, initial) + _CHINESE_FINAL.get(final, final))
    return "-".join(syllables)


# An Arabic article run onto its word ("ALISRAA", "ELSAYED"): the word without it.
ARTICLES = ("al", "el", "ul")
_JOINED_ARTICLE = re.compile(r"^(?:al|el|ul)(?=[a-z]{4,}$)")


def without_article(token: str) -> str | None:
    """The word an Arabic article was run onto, or None ("alisraa" gives "israa")."""
    stripped = _JOINED_ARTICLE.sub("", token)
    return stripped if stripped != token else None


# "X a.k.a. Y", "X (f.k.a. Y)", "X ALSO KNOWN AS Y": the lists sometimes write aliases into the name.
_ALIAS_MARK = re.compile(
    r"\s*[;,]?\s*\(?\b(?:a\.?k\.?a|f\.?k\.?a|d\.?b\.?a|also known as|formerly known as)\b\.?,?\s*", re.I
)
# "... and any successor, sub-unit, or subsidiary thereof", "..., and its sub-units and successors".
_BOILERPLATE = re.compile(
    r"[;,]?\s*and (?:any|its) (?:successors?|sub-units?|subsidiar(?:y|ies))"
    r"(?:,? (?:and |or )?(?:successors?|sub-units?|subsidiar(?:y|ies)))*(?: thereof)?\.?",
    re.I,
)
# The lists separate one entry's names with ";" ("Cho Yan Nathan; a.k.a Nathan Man Man").
_SEPARATOR = re.compile(r"\s*;\s*")
_PARENTHESIS = re.compile(r"\(([^()]*)\)")
# A parenthesised acronym is an alias ("... Technology (AASPT)"); other
# parentheses are part of the name ("China Unicom (Hong Kong) Limited").
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9&.\-]{1,11}$")


def entry_names(
    name: str, alt_names: list[str] | tuple[str, ...] = (), *, acronyms: bool = True
) -> list[tuple[str, bool]]:
    """List the names an entry is known by as (name, is_alias), unpacking aliases written into a name.

    Without `acronyms`, a parenthesised acronym is dropped rather than kept
    as a name of its own: a subject's "(HK)" is not a name to screen alone.
    """
    seen: set[str] = set()
    names: list[tuple[str, bool]] = []

    def add(text: str, is_alias: bool) -> None:
        text = re.sub(r"\s+", " ", text).strip(" ;,.-")
        if len(text) >= 2 and text.casefold() not in seen:
            seen.add(text.casefold())
            names.append((text, is_alias))

    for position, raw in enumerate([name, *alt_names]):
        is_alias = position > 0
        text = _BOILERPLATE.sub("", raw)
        bracketed = []
        # Bracketed a.k.a.: "PEARL (A.K.A. NEI-CHIEN CHU) LI" is Pearl Li, also Nei-Chien Chu.
        for inner in _PARENTHESIS.findall(text):
            if _ALIAS_MARK.match(inner) or _ACRONYM.match(inner.strip()):
                if acronyms or _ALIAS_MARK.match(inner):
                    bracketed.append(_ALIAS_MARK.sub(" ", inner))
                text = text.replace(f"({inner})", " ")
        pieces = [
            p.replace("(", " ").replace(")", " ")
            for part in _SEPARATOR.split(text)
            for p in _ALIAS_MARK.split(part)
            if p and p.strip()
        ]
        if pieces:
            add(pieces[0], is_alias)
        for alias in pieces[1:] + bracketed:
            add(alias, True)
    return names
