"""Names as the matcher compares them.

The heavy lifting is OpenSanctions' rigour: it case-folds, strips accents and
punctuation, latinizes Cyrillic, Greek, Armenian, Georgian and Hangul, removes
honorifics, and recognises company-type words in many languages (LLC, OOO,
GmbH, Co Ltd, PJSC...) as one class each. Scripts rigour leaves as they are
(Arabic, Chinese, Japanese) are transliterated with normality. What remains
here is the shape the index and the scorer need: the content tokens, the
company-type classes apart, and the list-specific habits of the U.S. lists
(aliases written inside a name with "a.k.a.", acronyms in parentheses).
"""

import re
from dataclasses import dataclass

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
        if part.index in legal_parts or part.tag in (NamePartTag.LEGAL, NamePartTag.STOP):
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
    return NameForm(
        text=text,
        tokens=tuple(tokens),
        org_classes=frozenset(org_classes),
        exact_only=frozenset(exact_only),
    )


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
