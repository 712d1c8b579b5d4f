"""Which subjects could resemble a few changed list entries, found without screening each subject in full.

After a list update only the entries added or renamed can give anyone a new
hit. This index holds just their names; a subject's stored names are split
into words cheaply (no name analysis), each distinct word is looked up once
among the changed names' words (equal, one edit apart, romanised or written
in Chinese syllables alike, run together with its neighbour), and a subject
is a candidate when the words found cover enough of one changed name's
weight to reach a hit, or when the two names are the same letters run
together. The candidates are then screened in full by the real matcher: this
only decides who is screened first, so it errs towards too many.
"""

import re
from collections.abc import Callable, Iterable

from normality import ascii_text

from .index import FUZZY_MIN_LENGTH, IndexedEntry, _deletions
from .names import analyse, chinese_syllable_key, romanisation_key, without_article
from .scoring import token_similarity

# A hit needs the subject's words to pair with at least about half of the
# listed name's weight (score = paired weight over both names' weights, with
# the listed words the subject left out counted at 0.6 or less); a lower share
# keeps a margin for middle names and company words the scorer discounts.
MIN_COVER = 0.35
_NOT_ALPHANUMERICS = re.compile(r"[^a-z0-9]+")


def words_of(text: str) -> tuple[str, ...]:
    """A name's words as the lists' words are compared: ASCII, lower case, letters and digits."""
    folded = text.lower() if text.isascii() else ascii_text(text).lower()
    return tuple(w for w in _NOT_ALPHANUMERICS.split(folded) if w)


def _lookup_keys(token: str) -> set[str]:
    keys = {token, "r:" + romanisation_key(token)}
    stripped = without_article(token)
    if stripped:
        keys.add("r:" + romanisation_key(stripped))
    syllables = chinese_syllable_key(token)
    if syllables:
        keys.add("c:" + syllables)
    if len(token) >= FUZZY_MIN_LENGTH:
        keys.update("d:" + variant for variant in _deletions(token))
        keys.add("d:" + token)
    return keys


class ChangeBlocker:
    def __init__(self, entries: Iterable[IndexedEntry], weight: Callable[[str], float]):
        # For each changed name: its tokens' weights, and its letters run together.
        self._weights: list[tuple[float, ...]] = []
        self._compact: dict[str, list[int]] = {}
        # Lookup key -> (listed token, name, position) that the key may lead to.
        self._by_key: dict[str, list[tuple[str, int, int]]] = {}
        self._near: dict[str, tuple[tuple[int, int], ...]] = {}
        for entry in entries:
            for text, _ in entry.names:
                form = analyse(text, entry.type)
                if form is None:
                    continue
                name_id = len(self._weights)
                self._weights.append(tuple(weight(t) for t in form.tokens))
                self._compact.setdefault("".join(words_of(text)), []).append(name_id)
                listed = list(enumerate(form.tokens))
                # A listed word may be two of the subject's run together, or the other way round.
                for position, (left, right) in enumerate(zip(form.tokens, form.tokens[1:], strict=False)):
                    listed.append((-(position + 1), left + right))
                for position, token in listed:
                    for key in _lookup_keys(token):
                        self._by_key.setdefault(key, []).append((token, name_id, position))

    def __len__(self) -> int:
        return len(self._weights)

    def near(self, word: str) -> tuple[tuple[int, int], ...]:
        """The (name, position) of listed tokens this subject word may be; cached, words repeat."""
        found = self._near.get(word)
        if found is None:
            hits = set()
            for key in _lookup_keys(word):
                for token, name_id, position in self._by_key.get(key, ()):
                    if token_similarity(word, token):
                        hits.add((name_id, position))
            found = self._near[word] = tuple(hits)
            if len(self._near) > 500_000:
                self._near.clear()
        return found

    def could_match(self, names: Iterable[str]) -> bool:
        """Whether a subject with these names could resemble one of the changed names."""
        for text in names:
            words = words_of(text)
            if not words:
                continue
            if "".join(words) in self._compact:
                return True
            covered: dict[int, set[int]] = {}
            joined = [a + b for a, b in zip(words, words[1:], strict=False)]
            for word in (*words, *joined):
                for name_id, position in self.near(word):
                    covered.setdefault(name_id, set()).add(position)
            for name_id, positions in covered.items():
                weights = self._weights[name_id]
                total = sum(weights)
                share = sum(_covered_weight(weights, p) for p in positions)
                if total and share >= MIN_COVER * total:
                    return True
        return False


def _covered_weight(weights: tuple[float, ...], position: int) -> float:
    if position >= 0:
        return weights[position]
    # Two adjacent listed tokens run together, found as one subject word.
    left = -position - 1
    return weights[left] + weights[left + 1]
