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
    legal_parts = set()
    org_classes = set()
    for span in name.spans:
        if span.symbol.category == SymbolCategory.ORG_CLASS:
            org_classes.add(span.symbol.id)
            legal_parts.update(part.index for part in span.parts)
    tokens: list[str] = []
    exact_only: set[int] = set()
    for part in name.parts:
        if part.index in legal_parts or part.tag == NamePartTag.LEGAL:
            continue
        # rigour's stopwords include name syllables ("Do", "Un", "Ja" in
        # Vietnamese and Korean names); in a person's name they stay, weighed
        # by how common they are on the lists like every other word.
        if part.tag == NamePartTag.STOP and tag != NameTypeTag.PER:
            continue
        # Arabic, Chinese, Japanese: rigour keeps the script; compare a transliteration.
        words = [part.comparable] if part.latinize else ascii_text(part.form).lower().split()
        for word in words:
            word = _NOT_ALPHANUMERIC.sub("", word)
            if word:
                if not part.latinize:
                    exact_only.add(len(tokens))
                tokens.append(word)
    if not tokens:
        return None
    first_given, middle = _given_name_positions(text, kind, len(tokens), bool(org_classes))
    return NameForm(
        text=text,
        tokens=tuple(tokens),
        org_classes=frozenset(org_classes),
        exact_only=frozenset(exact_only),
        first_given=first_given,
        middle=middle,
    )


def _given_name_positions(text: str, kind: str, count: int, company: bool) -> tuple[int | None, frozenset[int]]:
    """Where a person's first given name is among the tokens, and which tokens are middle names."""
    # The Entity List gives no type: a name without a company-type word may be a person's.
    if kind not in (INDIVIDUAL, UNKNOWN) or company:
        return None, frozenset()
    family, comma, _ = text.partition(",")
    if comma:
        family_form = analyse(family, kind)
        first_given = len(family_form.tokens) if family_form else 0
        if first_given >= count:
            return None, frozenset()
        return first_given, frozenset(range(first_given + 1, count))
    # "Given Middle Family": the last word is the family name.
    return 0, frozenset(range(1, count - 1))


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


# "X a.k.a. Y", "X (f.k.a. Y)", "X ALSO KNOWN AS Y": the lists sometimes write aliases into the name.
_ALIAS_MARK = re.compile(
    r"\s*[;,]?\s*\(?\b(?:a\.?k\.?a|f\.?k\.?a|d\.?b\.?a|also known as|formerly known as)\b\.?,?\s*", re.I
)
_BOILERPLATE = re.compile(r"[;,]?\s*and any successors?,? sub-units?,? or subsidiar(?:y|ies) thereof\.?", re.I)
_PARENTHESIS = re.compile(r"\(([^()]*)\)")
# A parenthesised acronym is an alias ("... Technology (AASPT)"); other
# parentheses are part of the name ("China Unicom (Hong Kong) Limited").
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9&.\-]{1,11}$")


def entry_names(name: str, alt_names: list[str] | tuple[str, ...] = ()) -> list[tuple[str, bool]]:
    """List the names an entry is known by as (name, is_alias), unpacking aliases written into a name."""
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
                bracketed.append(_ALIAS_MARK.sub(" ", inner))
                text = text.replace(f"({inner})", " ")
        pieces = [p.replace("(", " ").replace(")", " ") for p in _ALIAS_MARK.split(text) if p and p.strip()]
        if pieces:
            add(pieces[0], is_alias)
        for alias in pieces[1:] + bracketed:
            add(alias, True)
    return names
