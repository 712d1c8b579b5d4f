"""An in-memory index of list names, and the search that screens one subject against it.

A screen must not compare the subject with every one of the ~57,000 names
on the lists. The index keeps, for each name token, the names that contain
it (an inverted index); for each token its one-deletion variants, so a token
with one typo still finds its neighbours (the symmetric-deletion method); and
for each romanisation key the tokens spelled that way, so "Kliuew" finds
"Klyuev". Candidates are the names found through the query's rarer tokens,
ranked by the weight they share with the whole query, each listed token
counted by how alike it is to the query's; only the best few are scored in
full.
"""

import dataclasses
import gc
import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rigour.names import normalize_name, tokenize_name

from .names import (
    INDIVIDUAL,
    UNKNOWN,
    NameForm,
    analyse,
    chinese_syllable_key,
    entry_names,
    romanisation_key,
    without_article,
)
from .scoring import IDENTICAL, NEAR_IDENTICAL, Scorer, adjust_for_context, token_similarity

# Tokens shorter than this are looked up exactly: one edit in "ali" is another name.
FUZZY_MIN_LENGTH = 4
# A word set aside (as a company type) on at least this many listed names is
# one a misspelling is corrected to.
SET_ASIDE_MIN_NAMES = 10
# How many candidate names are scored in full for each query name.
CANDIDATES_PER_NAME = 25
# How many names found through one run-together word are scored besides.
RUN_TOGETHER_CANDIDATES = 10
# How many query words' similar listed tokens an index remembers before starting afresh.
SIMILAR_TOKENS_KEPT = 50_000
# A name's token missing from a query word's similar tokens is not similar.
_NOTHING = itertools.repeat(0.0)


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    """A list entry as the index holds it."""

    id: int
    key: str
    list_code: str
    type: str
    countries: frozenset[str]
    names: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Query:
    names: tuple[str, ...]
    type: str = UNKNOWN
    countries: frozenset[str] = frozenset()


@dataclass
class Match:
    entry: IndexedEntry
    score: float
    query_name: str
    matched_name: str
    matched_alias: bool
    reasons: list[str] = field(default_factory=list)


def _deletions(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


class ScreeningIndex:
    def __init__(self, entries: Iterable[IndexedEntry]):
        # The build makes a few million objects that all live as long as the
        # index: the collector's passes over them while they are made would
        # find nothing to free and took about 40% of the build's time.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build(entries)
        finally:
            if collecting:
                gc.enable()

    def _build(self, entries: Iterable[IndexedEntry]) -> None:
        self.entries: list[IndexedEntry] = []
        self._name_entry: list[int] = []
        self._name_form: list[NameForm] = []
        self._name_alias: list[bool] = []
        self._vocabulary: dict[str, int] = {}
        postings: list[list[int]] = []
        # Names by their whole normalised form, by their letters run
        # together, and by each pair of adjacent words run together: a
        # subject's "ALBANNA" finds "AL-BANNA", "AL ISRAA" finds "ALISRAA".
        self._by_exact: dict[str, list[int]] = {}
        self._by_compact: dict[str, list[int]] = {}
        self._by_joined: dict[str, list[int]] = {}
        # Every word written on the lists, and how often each one is set aside
        # as (part of) a company type: "limited", "liability", "joint", "sirketi".
        written: set[str] = set()
        set_aside: dict[str, int] = {}
        for entry in entries:
            entry_number = len(self.entries)
            self.entries.append(entry)
            for text, is_alias in entry.names:
                form = analyse(text, entry.type)
                if form is None:
                    continue
                name_id = len(self._name_form)
                self._name_form.append(form)
                self._name_entry.append(entry_number)
                self._name_alias.append(is_alias)
                self._by_exact.setdefault(form.key, []).append(name_id)
                self._by_compact.setdefault(form.compact, []).append(name_id)
                for joined in {a + b for a, b in zip(form.words, form.words[1:], strict=False)}:
                    self._by_joined.setdefault(joined, []).append(name_id)
                words = set(tokenize_name(normalize_name(text) or ""))
                written.update(words)
                for word in words.difference(form.tokens):
                    set_aside[word] = set_aside.get(word, 0) + 1
                for token in set(form.tokens):
                    token_id = self._vocabulary.get(token)
                    if token_id is None:
                        token_id = self._vocabulary[token] = len(postings)
                        postings.append([])
                    postings[token_id].append(name_id)
        self._postings = postings
        self._tokens = list(self._vocabulary)
        self._name_token_ids = [
            tuple(dict.fromkeys(self._vocabulary[t] for t in form.tokens)) for form in self._name_form
        ]
        self._unknown_weights: dict[str, float] = {}
        self._similar: dict[str, dict[int, float]] = {}
        count = max(len(self._name_form), 1)
        # Inverse document frequency: a token on many names says little about any one.
        self._weights = [math.log(1 + count / len(p)) for p in postings]
        self.unknown_weight = math.log(1 + count)
        self._name_weight = [sum(self._token_weight(t) for t in form.tokens) for form in self._name_form]
        self._by_deletion: dict[str, tuple[int, ...]] = {}
        by_deletion = self._by_deletion
        # Tokens by their romanisation key: "kliuew" finds "klyuev", "ksiuling" "xiuling".
        self._by_key: dict[str, list[int]] = {}
        # Tokens by their Chinese sound classes: "chang" finds "zhang", "hsu" "xu".
        self._by_syllables: dict[str, list[int]] = {}
        for token, token_id in self._vocabulary.items():
            self._by_key.setdefault(romanisation_key(token), []).append(token_id)
            stripped = without_article(token)
            if stripped:
                self._by_key.setdefault(romanisation_key(stripped), []).append(token_id)
            syllables = chinese_syllable_key(token)
            if syllables:
                self._by_syllables.setdefault(syllables, []).append(token_id)
            if len(token) >= FUZZY_MIN_LENGTH:
                # Most variants come from one token: a tuple each is built faster, and is smaller, than a list.
                for variant in _deletions(token):
                    tokens = by_deletion.get(variant)
                    by_deletion[variant] = (token_id,) if tokens is None else (*tokens, token_id)
        # A token on more than this many names is too common to find candidates by alone.
        self._common_df = max(50, count // 200)
        self._written = written
        self._company_words = frozenset(set_aside)
        self._set_aside = {
            w: n for w, n in set_aside.items() if n >= SET_ASIDE_MIN_NAMES and len(w) >= FUZZY_MIN_LENGTH
        }
        self._set_aside_by_deletion: dict[str, list[str]] = {}
        for word in self._set_aside:
            for variant in _deletions(word) | {word}:
                self._set_aside_by_deletion.setdefault(variant, []).append(word)
        self.scorer = Scorer(self._token_weight)
        # Each name's token weights as the scorer weighs them, looked up once here rather than at every screen.
        token_scores = [self.scorer.weight(token) for token in self._tokens]
        self._name_token_weights = [
            tuple(token_scores[self._vocabulary[t]] for t in form.tokens) for form in self._name_form
        ]

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        return len(self._name_form)

    @property
    def company_words(self) -> frozenset[str]:
        """Every word the lists' names set aside as (part of) a company type."""
        return self._company_words

    def word_weight(self, word: str) -> float:
        """What a word of a name weighs in a score, at most: 0 for a word the lists set aside as a company type."""
        # Words of a letter or two are mostly initials, company types and stopwords, which analysis drops.
        if len(word) < 3 or word in self._company_words:
            return 0.0
        return self.scorer.weight(word)

    def _token_weight(self, token: str) -> float:
        token_id = self._vocabulary.get(token)
        if token_id is not None:
            return self._weights[token_id]
        weight = self._unknown_weights.get(token)
        if weight is None:
            # A word the lists never use is either rare (it weighs the most) or a
            # misspelling of a listed word (it weighs what that word weighs).
            neighbours = self._token_options(token)
            weight = min((self._weights[t] for t in neighbours), default=self.unknown_weight)
            if len(self._unknown_weights) > 10_000:
                self._unknown_weights.clear()
            self._unknown_weights[token] = weight
        return weight

    def _token_options(self, token: str) -> list[int]:
        """Vocabulary tokens equal to `token` or one edit away from it, or romanised alike."""
        found = set()
        exact = self._vocabulary.get(token)
        if exact is not None:
            found.add(exact)
        if len(token) >= FUZZY_MIN_LENGTH:
            found.update(self._by_deletion.get(token, ()))
            for variant in _deletions(token):
                shorter = self._vocabulary.get(variant)
                if shorter is not None and len(variant) >= FUZZY_MIN_LENGTH:
                    found.add(shorter)
                found.update(self._by_deletion.get(variant, ()))
        found.update(self._by_key.get(romanisation_key(token), ()))
        stripped = without_article(token)
        if stripped:
            found.update(self._by_key.get(romanisation_key(stripped), ()))
        syllables = chinese_syllable_key(token)
        if syllables:
            found.update(self._by_syllables.get(syllables, ()))
        return list(found)

    def _corrected(self, text: str) -> str:
        """Correct misspelt company-type words ("Liimted Liabilty Compny") so rigour still sets them aside."""
        words = tokenize_name(normalize_name(text) or "")
        changed = False
        for position, word in enumerate(words):
            if word in self._written or len(word) < FUZZY_MIN_LENGTH:
                continue
            near = set(self._set_aside_by_deletion.get(word, ()))
            for variant in _deletions(word):
                near.update(self._set_aside_by_deletion.get(variant, ()))
            if near:
                words[position] = max(near, key=lambda w: (self._set_aside[w], w))
                changed = True
        return " ".join(words) if changed else text

    def candidates(self, form: NameForm, limit: int = CANDIDATES_PER_NAME) -> list[int]:
        """Return the ids of the names most likely to match `form`, best first."""
        # For each query token, the listed tokens it may be, and how alike they are.
        looked_up: list[tuple[float, dict[int, float]]] = []
        for position, token in enumerate(form.tokens):
            if token in form.tokens[:position]:
                continue
            if position in form.exact_only:
                exact = self._vocabulary.get(token)
                options = {exact: 1.0} if exact is not None else {}
            else:
                options = self._similar_tokens(token)
            if options:
                looked_up.append((self._token_weight(token), options))
        # Adjacent query tokens written as one word on the list ("bei jing" /
        # "beijing"), spelled alike or romanised another way ("chi cheng" / "jicheng").
        for left, right in zip(form.tokens, form.tokens[1:], strict=False):
            joined = left + right
            options = self._similar_tokens(joined)
            if options:
                looked_up.append((self._token_weight(joined), options))
        if not looked_up:
            return []
        # Names are found through the query's rarer tokens; a common token
        # ("ahmad", "trading" and their spellings) only adds to the names found.
        # A query of common tokens only is found through the least common.
        reach = sorted(
            (
                (sum(len(self._postings[token_id]) for token_id in options), weight, options)
                for weight, options in looked_up
            ),
            key=lambda item: item[0],
        )
        rare: list[tuple[float, dict[int, float]]] = []
        common: list[tuple[float, dict[int, float]]] = []
        for names, weight, options in reach:
            (rare if names <= self._common_df or not rare else common).append((weight, options))
        scores: defaultdict[int, float] = defaultdict(float)
        for weight, options in rare:
            for token_id, similarity in options.items():
                shared = weight * similarity
                for name_id in self._postings[token_id]:
                    scores[name_id] += shared
        name_token_ids = self._name_token_ids
        for weight, options in common:
            similarity_of = options.get
            for name_id in scores:
                best = max(map(similarity_of, name_token_ids[name_id], _NOTHING))
                if best:
                    scores[name_id] += weight * best
        query_weight = sum(self._token_weight(t) for t in form.tokens)
        name_weight = self._name_weight
        # Ranked by the share of the two names' weight they share; of equal
        # shares, the name found first (the position, negated, breaks ties).
        ranked = [
            (shared / (query_weight + name_weight[name_id] - shared + 1e-9), -position, name_id)
            for position, (name_id, shared) in enumerate(scores.items())
        ]
        return [name_id for _, _, name_id in heapq.nlargest(limit, ranked)]

    def _similar_tokens(self, token: str) -> dict[int, float]:
        """The listed tokens `token` may be, by id, and how alike they are; remembered, as words recur."""
        options = self._similar.get(token)
        if options is None:
            options = {}
            for token_id in self._token_options(token):
                similarity = token_similarity(token, self._tokens[token_id])
                if similarity:
                    options[token_id] = similarity
            if len(self._similar) >= SIMILAR_TOKENS_KEPT:
                self._similar.clear()
            self._similar[token] = options
        return options

    def _all_candidates(self, form: NameForm) -> list[int]:
        """The names found by blocking, and those identical or the same when run together, first."""
        found = [*self._by_exact.get(form.key, ()), *self._by_compact.get(form.compact, ())]
        for word in form.words:
            found.extend(self._by_joined.get(word, ())[:RUN_TOGETHER_CANDIDATES])
        return list(dict.fromkeys([*found, *self.candidates(form)]))

    def search(self, query: Query, *, threshold: float, limit: int = 10) -> list[Match]:
        """Screen the query's names; return the entries scoring at least `threshold`, best first."""
        # Per entry: its best score, and what is needed to explain it.
        best: dict[int, tuple[float, int, NameForm, float]] = {}
        # A name given as the lists write them ("X; a.k.a. Y", "X and any
        # successor, sub-unit, or subsidiary thereof") is screened as each of
        # its names as well as whole.
        texts = [name for text in query.names for name in (text, *(n for n, _ in entry_names(text, acronyms=False)))]
        for text in dict.fromkeys(texts):
            # A person's name has no company type to correct: "Wiet" is a spelling of "Viet", not of "with".
            form = analyse(text if query.type == INDIVIDUAL else self._corrected(text), query.type)
            if form is None:
                continue
            if form.text != text:
                form = dataclasses.replace(form, text=text)
            query_weights = self.scorer.weights(form)
            for name_id in self._all_candidates(form):
                entry_number = self._name_entry[name_id]
                entry = self.entries[entry_number]
                name_score, _ = self.scorer.score(
                    form,
                    self._name_form[name_id],
                    persons=INDIVIDUAL in (query.type, entry.type),
                    explain=False,
                    query_weights=query_weights,
                    candidate_weights=self._name_token_weights[name_id],
                )
                if name_score <= 0:
                    continue
                score, _ = adjust_for_context(name_score, query, entry, explain=False)
                # A country in common ranks a close name higher, never as high as an identical one.
                if name_score < IDENTICAL:
                    score = min(score, max(name_score, NEAR_IDENTICAL))
                # Equal names scored by different sums must tie, not differ in the last bit.
                score = round(score, 6)
                current = best.get(entry_number)
                if current is None or score > current[0]:
                    best[entry_number] = (score, name_id, form, name_score)
        results = []
        for entry_number, (score, name_id, form, name_score) in best.items():
            if score < threshold:
                continue
            entry = self.entries[entry_number]
            candidate = self._name_form[name_id]
            _, context = adjust_for_context(name_score, query, entry)
            # Only a reported match is explained: scored again, with its reasons.
            _, reasons = self.scorer.score(form, candidate, persons=INDIVIDUAL in (query.type, entry.type))
            alias = self._name_alias[name_id]
            described = f"{'alias' if alias else 'name'} {candidate.text!r}"
            results.append(
                Match(
                    entry=entry,
                    score=score,
                    query_name=form.text,
                    matched_name=candidate.text,
                    matched_alias=alias,
                    reasons=[f"{form.text!r} resembles the {described} ({name_score:.2f})", *reasons, *context],
                )
            )
        results.sort(key=lambda m: (-m.score, m.entry.id))
        return results[:limit]
