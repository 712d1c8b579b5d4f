"""Which subjects could resemble a few changed list entries, found without screening each subject in full.

After a list update only the entries added or renamed can give anyone a new
hit. This index holds just their names; a subject's stored names are split
into words cheaply (no name analysis), each distinct word is looked up once
among the changed names' words (equal, one edit apart, romanised or written
in Chinese syllables alike, run together with its neighbour), and a subject
is a candidate when an upper estimate of its score against one changed name
(from the words found, the listed words left out and its own words left
unpaired) reaches the threshold, or when the two names are the same letters
run together. The candidates are then screened in full by the real matcher: this
only decides who is screened first, so it errs towards too many.
"""

import re
from collections.abc import Callable, Iterable

from normality import ascii_text

from .index import FUZZY_MIN_LENGTH, IndexedEntry, _deletions
from .names import INDIVIDUAL, analyse, chinese_syllable_key, romanisation_key, without_article
from .scoring import token_similarity

# The listed words the subject left out count for a share of their weight
# when every word of the subject paired: a company's less telling words and
# a person's family names 0.6, a person's first given name in full (0.6 if
# the entry does not say it is a person), middle names as little as 0.4 of
# the average word found, taken here as nothing. The estimate takes the
# least, so it never scores a name lower than the scorer would.
LEFT_OUT_SHARE = 0.6
# An estimate this far below the threshold still makes a candidate: the
# estimate ignores the country bonus (+0.02) and rounding.
MARGIN = 0.05
_NOT_ALPHANUMERICS = re.compile(r"[^a-z0-9]+")


def words_of(text: str) -> tuple[str, ...]:
    """A name's words as the lists' words are compared: ASCII, lower case, letters and digits."""
    folded = text.lower() if text.isascii() else ascii_text(text).lower()
    return tuple(w for w in _NOT_ALPHANUMERICS.split(folded) if w)


def name_words(names) -> str:
    """The words of each name, as stored with a screening: names apart by "|", words by spaces."""
    return "|".join(" ".join(words_of(text)) for text in names)


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
    def __init__(
        self,
        entries: Iterable[IndexedEntry],
        weight: Callable[[str], float],
        *,
        subject_weight: Callable[[str], float],
        threshold: float,
        company_words: frozenset[str] = frozenset(),
    ):
        # Words the lists set aside as company types ("sa", "de", "cv", "gmbh"):
        # analysis drops them from a subject's name too, so they pair with nothing.
        self._company_words = company_words
        # A subject word's weight, at most: a word the scorer would drop counts 0.
        self._subject_weight = subject_weight
        self._subject_weights: dict[str, float] = {}
        self._floor = threshold - MARGIN
        # For each changed name: its tokens' weights, and its letters run together.
        self._weights: list[tuple[float, ...]] = []
        self._left_out_share: list[tuple[float, ...]] = []
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
                self._left_out_share.append(_left_out_shares(form, entry.type))
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
        return self.words_could_match(tuple(words_of(text)) for text in names)

    def stored_could_match(self, stored: str) -> bool:
        """`could_match` for the words stored with a screening (`name_words`)."""
        return self.words_could_match(tuple(part.split()) for part in stored.split("|"))

    def words_could_match(self, names_words: Iterable[tuple[str, ...]]) -> bool:
        for words in names_words:
            if not words:
                continue
            if "".join(words) in self._compact:
                return True
            # For each changed name, the most each subject word pairs with (a
            # word pairs one listed token, or two run together) and which tokens.
            covered: dict[int, dict[str, tuple[float, tuple[int, ...]]]] = {}
            joined = [a + b for a, b in zip(words, words[1:], strict=False)]
            for word in (*words, *joined):
                if word in self._company_words:
                    continue
                for name_id, position in self.near(word):
                    weights = self._weights[name_id]
                    tokens = (position,) if position >= 0 else (-position - 1, -position)
                    found = sum(weights[t] for t in tokens)
                    by_word = covered.setdefault(name_id, {})
                    if word not in by_word or found > by_word[word][0]:
                        by_word[word] = (found, tokens)
            for name_id, by_word in covered.items():
                if self._estimate(words, joined, name_id, by_word) >= self._floor:
                    return True
        return False

    def _estimate(self, words, joined, name_id: int, by_word: dict[str, tuple[float, tuple[int, ...]]]) -> float:
        """An upper estimate of the score of the subject's name against one changed name.

        The scorer's score is the paired weight, counted on both sides, over
        both names' weights: words paired (at most the listed tokens found,
        and at most what each subject word found), the subject's words left
        unpaired in full, and the listed words left out in full, or at a
        share when every word of the subject paired.
        """
        weights = self._weights[name_id]
        tokens_found = {t for _, tokens in by_word.values() for t in tokens}
        paired = min(sum(weights[t] for t in tokens_found), sum(found for found, _ in by_word.values()))
        if not paired:
            return 0.0
        parts_of_joined = {
            part
            for pair, whole in zip(zip(words, words[1:], strict=False), joined, strict=False)
            if whole in by_word
            for part in pair
        }
        unpaired = sum(self._word_weight(w) for w in set(words) if w not in by_word and w not in parts_of_joined)
        shares = self._left_out_share[name_id] if not unpaired else (1.0,) * len(weights)
        left_out = sum(weights[t] * shares[t] for t in range(len(weights)) if t not in tokens_found)
        return 2 * paired / (2 * paired + unpaired + left_out)

    def _word_weight(self, word: str) -> float:
        weight = self._subject_weights.get(word)
        if weight is None:
            if len(self._subject_weights) > 500_000:
                self._subject_weights.clear()
            weight = self._subject_weights[word] = self._subject_weight(word)
        return weight


def _left_out_shares(form, entry_type: str) -> tuple[float, ...]:
    shares = []
    for position in range(len(form.tokens)):
        if position in form.middle:
            shares.append(0.0)
        elif position == form.first_given and entry_type == INDIVIDUAL:
            shares.append(1.0)
        else:
            shares.append(LEFT_OUT_SHARE)
    return tuple(shares)
