"""How alike two names are, from 0 to 1, and the words that say why.

Tokens are paired one to one, best first, by rapidfuzz's optimal string
alignment similarity, so word order does not matter and a typo costs a
little. Two spellings of one word in different romanisations ("Klyuev" /
"Kliuew", "Dzhong" / "Jong") pair almost as if equal. Each token weighs what
it tells apart (its inverse document frequency on the lists): sharing
"trading company" is worth little, sharing "rosoboronexport" a lot. The score
is the weighted share of both names that was paired; a listed person's
middle name the subject leaves out costs a fixed small share. Company-type
words (LLC, OOO, GmbH) were set aside by rigour and only nudge the score.
"""

from collections.abc import Callable
from functools import lru_cache

from rapidfuzz.distance import OSA
from rigour.text import metaphone

from .names import ARTICLES, INDIVIDUAL, UNKNOWN, NameForm, chinese_syllable_key, romanisation_key, without_article

# Below this similarity two tokens are different words, not spellings of one.
TOKEN_SIMILARITY_FLOOR = 0.7
# Two words whose lengths differ by more than this share of the longer (and
# a letter) are never that alike.
LENGTH_DIFFERENCE_FACTOR = 0.4
# Tokens must be this long, and one of them longer, to pair when they differ:
# "li" and "lu" are different names, not typos.
FUZZY_MIN_LENGTH = 3
# Two words that differ only as romanisations do ("dzhong" / "jong"), or by
# an Arabic article run onto one of them ("alisraa" / "israa").
SAME_ROMANISATION_SIMILARITY = 0.95
# Pinyin and Wade-Giles spellings of the same syllables ("zhang" / "chang").
# Their sound classes are coarse (b/p, d/t, g/k are one), so a little less.
SAME_SYLLABLES_SIMILARITY = 0.9
# 1.0 is for names identical after normalisation; the same words with their
# punctuation dropped ("AL-BANNA" / "ALBANNA") come next; any other
# resemblance, however close, stays below both.
IDENTICAL = 1.0
SAME_WHEN_RUN_TOGETHER = 0.98
NEAR_IDENTICAL = 0.97
# In a word this short a letter is a larger part of what tells one name
# from another ("Pinto" / "Pinta"): a difference costs a little more.
SHORT_WORD_LENGTH = 5
SHORT_WORD_PENALTY = 0.03
# Typing rarely changes a word's first letter: two words that begin
# differently are less alike than their spelling says ("Pinto" / "Sinto").
FIRST_LETTER_PENALTY = 0.1
# Two words of at least this length that sound the same (rigour's metaphone):
# an English word written in Cyrillic and back ("Трейд", "treid" / "trade").
PHONETIC_MIN_LENGTH = 5
SAME_SOUND_SIMILARITY = 0.75
# Two words run together on one side must be this alike the other side's word.
RUN_TOGETHER_SIMILARITY = 0.85
# ... so their lengths differ by a letter or two at most.
RUN_TOGETHER_LENGTH_DIFFERENCE = 2
# An unpaired token on the list's side (a word the subject left out) counts
# for this much of its weight.
LIST_SIDE_EXTRA_FACTOR = 0.6
# A listed person's middle name the subject left out counts for this share of
# the average word found: which middle name is missing says nothing, only
# how many are.
MIDDLE_NAME_FACTOR = 0.4
# Words that say "a company" without being a legal form rigour recognises;
# they count for this much of their weight.
GENERIC_COMPANY_WORDS = frozenset({"company", "co", "corp", "corporation", "pvt", "pte", "pt", "tbk"})
GENERIC_WORD_FACTOR = 0.2
# How many tokens' weights a scorer remembers before starting afresh.
WEIGHTS_KEPT = 200_000

# Country, type and company type rank candidates with similar names; they
# are kept small so a listed party registered elsewhere is still a hit.
COUNTRY_MATCH_BONUS = 0.02
COUNTRY_MISMATCH_PENALTY = 0.03
TYPE_MISMATCH_PENALTY = 0.08
ORG_CLASS_MISMATCH_PENALTY = 0.01


class Scorer:
    def __init__(self, weight: Callable[[str], float]):
        self._weight = weight
        # A token's weight is fixed for the index; a screen asks for the same few many times.
        self._weights: dict[str, float] = {}

    def weight(self, token: str) -> float:
        weight = self._weights.get(token)
        if weight is None:
            weight = self._weight(token)
            if token in GENERIC_COMPANY_WORDS:
                weight *= GENERIC_WORD_FACTOR
            if len(self._weights) > WEIGHTS_KEPT:
                self._weights.clear()
            self._weights[token] = weight
        return weight

    def weights(self, form: NameForm) -> tuple[float, ...]:
        """The weight of each of a name's tokens, in order."""
        return tuple(self.weight(token) for token in form.tokens)

    def score(
        self,
        query: NameForm,
        candidate: NameForm,
        *,
        persons: bool = False,
        explain: bool = True,
        query_weights: tuple[float, ...] | None = None,
        candidate_weights: tuple[float, ...] | None = None,
    ) -> tuple[float, list[str]]:
        """Score two names; `persons` when either is a person's, whose middle names are often left out.

        Without `explain` the reasons are left out (the score is the same): a
        screen scores many candidates and explains only the ones it reports.
        The names' token weights (`weights`) may be given when already known:
        an index keeps its names', a screen its query's.
        """
        # The same words, or the same once company types are written as their
        # class ("Ltd" / "Limited"); the words alone when the two were read as
        # different kinds of name (an aircraft's "EP-CAS" has no company type).
        if (query.key and query.key == candidate.key) or (query.words and query.words == candidate.words):
            return IDENTICAL, ["identical after normalisation"]
        score, reasons = self._score_words(
            query,
            candidate,
            persons=persons,
            explain=explain,
            query_weights=self.weights(query) if query_weights is None else query_weights,
            candidate_weights=self.weights(candidate) if candidate_weights is None else candidate_weights,
        )
        score = min(score, NEAR_IDENTICAL)
        if query.compact and query.compact == candidate.compact:
            return SAME_WHEN_RUN_TOGETHER, ["the same letters, spaced or punctuated differently"]
        return score, reasons

    def _score_words(
        self,
        query: NameForm,
        candidate: NameForm,
        *,
        persons: bool,
        explain: bool,
        query_weights: tuple[float, ...],
        candidate_weights: tuple[float, ...],
    ) -> tuple[float, list[str]]:
        q, r = query.tokens, candidate.tokens
        pairs: list[tuple[float, int, int]] = []
        exact_only = query.exact_only
        for i, a in enumerate(q):
            if i in exact_only:
                pairs.extend((-1.0, i, j) for j, b in enumerate(r) if a == b)
                continue
            for j, b in enumerate(r):
                similarity = token_similarity(a, b)
                if similarity:
                    pairs.append((-similarity, i, j))
        # Best first; of equal pairs, the earlier words, so a name written
        # twice ("OO, Tun Tun") pairs its first given name, not its middle one.
        pairs.sort()
        # A paired query token weighs what its list token weighs, so a typo
        # (a token the lists never use) does not count as a rare word.
        used_q: dict[int, float] = {}
        used_r: set[int] = set()
        matched = 0.0
        paired = []
        for negative, i, j in pairs:
            if i in used_q or j in used_r:
                continue
            similarity = -negative
            weight = candidate_weights[j]
            used_q[i] = weight
            used_r.add(j)
            matched += similarity * 2 * weight
            paired.append((similarity, q[i], r[j]))
        # Most names pair every word one to one: nothing is left to run together.
        if (len(used_r) < len(r) and len(q) - len(used_q) >= 2) or (len(used_q) < len(q) and len(r) - len(used_r) >= 2):
            matched += self._pair_run_together(q, r, used_q, used_r, paired)
        if not paired:
            return 0.0, []
        query_weight = sum(used_q[i] if i in used_q else query_weights[i] for i in range(len(q)))
        # The subject's whole name found inside a longer listed name: a word
        # left out costs less than an extra word in the subject's name. A
        # person's left-out middle name counts the same whichever it is; the
        # first given name counts in full (a subject known by a listed
        # person's middle and family names is another person). A company's
        # left-out word counts in full if it tells more than any word found
        # ("Shenzhen Technology" is not "Shenzhen Guoweichip Technology").
        # Chinese, Japanese and Korean names have no middle names and few
        # syllables: a syllable left out makes another name.
        syllables = bool(query.exact_only)
        subset = len(used_q) == len(q) >= 2 and not syllables
        telling = float("inf") if persons else max(used_q.values(), default=0.0)
        middle_name_weight = MIDDLE_NAME_FACTOR * sum(used_q.values()) / max(len(used_q), 1)
        list_weight = 0.0
        for j, weight in enumerate(candidate_weights):
            if subset and j not in used_r:
                if persons and j in candidate.middle:
                    weight = middle_name_weight
                elif not (persons and j == candidate.first_given) and weight <= telling:
                    weight *= LIST_SIDE_EXTRA_FACTOR
            list_weight += weight
        score = matched / (query_weight + list_weight)
        if not explain:
            if query.org_classes and candidate.org_classes and not (query.org_classes & candidate.org_classes):
                score -= ORG_CLASS_MISMATCH_PENALTY
            return max(score, 0.0), []
        reasons = []
        typos = [f"{a!r}~{b!r}" for similarity, a, b in paired if similarity < 1.0]
        if typos:
            reasons.append("spelled differently: " + ", ".join(typos))
        unpaired_q = [q[i] for i in range(len(q)) if i not in used_q]
        unpaired_r = [r[j] for j in range(len(r)) if j not in used_r]
        if unpaired_q:
            reasons.append("not on the entry: " + ", ".join(unpaired_q))
        if unpaired_r:
            reasons.append("not in the subject's name: " + ", ".join(unpaired_r))
        if q != r and sorted(q) == sorted(r):
            reasons.append("same words in another order")
        if query.org_classes and candidate.org_classes and not (query.org_classes & candidate.org_classes):
            score -= ORG_CLASS_MISMATCH_PENALTY
            reasons.append(
                f"company type differs ({', '.join(sorted(query.org_classes))} / "
                f"{', '.join(sorted(candidate.org_classes))})"
            )
        return max(score, 0.0), reasons

    def _pair_run_together(self, q, r, used_q: dict, used_r: set, paired: list) -> float:
        """Pair two adjacent words on one side with one word on the other ("bei jing" / "beijing")."""
        matched = 0.0
        for left, right, used_left, used_right, query_side in (
            (q, r, used_q, used_r, True),
            (r, q, used_r, used_q, False),
        ):
            if len(used_right) >= len(right) or len(left) - len(used_left) < 2:
                continue
            for i in range(len(left) - 1):
                if i in used_left or i + 1 in used_left:
                    continue
                joined = left[i] + left[i + 1]
                for j, token in enumerate(right):
                    if j in used_right or abs(len(joined) - len(token)) > RUN_TOGETHER_LENGTH_DIFFERENCE:
                        continue
                    if token_similarity(joined, token) < RUN_TOGETHER_SIMILARITY:
                        continue
                    # Weighed as the list's words: one word, or the two run together.
                    if query_side:
                        list_token_weight = self.weight(token)
                    else:
                        list_token_weight = self.weight(left[i]) + self.weight(left[i + 1])
                    similarity = token_similarity(joined, token)
                    if query_side:
                        used_q[i] = used_q[i + 1] = list_token_weight / 2
                        used_r.add(j)
                    else:
                        used_r.update((i, i + 1))
                        used_q[j] = list_token_weight
                    matched += similarity * 2 * list_token_weight
                    paired.append(
                        (
                            similarity,
                            f"{left[i]} {left[i + 1]}" if query_side else token,
                            token if query_side else f"{left[i]} {left[i + 1]}",
                        )
                    )
                    break
        return matched


@lru_cache(maxsize=262_144)
def token_similarity(a: str, b: str) -> float:
    """How alike two tokens are (0 when they are different words)."""
    if a == b:
        return 1.0
    a_length, b_length = len(a), len(b)
    shorter, longer = (a_length, b_length) if a_length < b_length else (b_length, a_length)
    # Most pairs scored are words of very different lengths: no spelling, romanisation or sound makes them one.
    if longer - shorter > LENGTH_DIFFERENCE_FACTOR * longer + 1:
        return 0.0
    a_key, b_key = romanisation_key(a), romanisation_key(b)
    if a_key == b_key:
        return SAME_ROMANISATION_SIMILARITY
    if (a[:2] in ARTICLES and without_article(a) == b) or (b[:2] in ARTICLES and without_article(b) == a):
        return SAME_ROMANISATION_SIMILARITY
    a_syllables = chinese_syllable_key(a)
    if a_syllables is not None and a_syllables == chinese_syllable_key(b):
        return SAME_SYLLABLES_SIMILARITY
    if shorter < FUZZY_MIN_LENGTH or longer <= FUZZY_MIN_LENGTH:
        return 0.0
    # A typo in a word romanised another way ("eschak" / "eshaq") is a typo in the shared spelling.
    similarity = max(_spelling_similarity(a, b), _spelling_similarity(a_key, b_key))
    if a[0] != b[0] and a_key[0] != b_key[0]:
        # Below the floor even if the two sounded the same (SAME_SOUND_SIMILARITY less the
        # penalty): most pairs scored are different words, and this spares their sound.
        similarity -= FIRST_LETTER_PENALTY
    elif similarity < SAME_SOUND_SIMILARITY and shorter >= PHONETIC_MIN_LENGTH and _sound(a) == _sound(b):
        similarity = SAME_SOUND_SIMILARITY
    return similarity if similarity >= TOKEN_SIMILARITY_FLOOR else 0.0


def _spelling_similarity(a: str, b: str) -> float:
    similarity = OSA.normalized_similarity(a, b)
    if max(len(a), len(b)) <= SHORT_WORD_LENGTH:
        similarity -= SHORT_WORD_PENALTY
    return similarity


@lru_cache(maxsize=65536)
def _sound(token: str) -> str:
    return metaphone(token)


def adjust_for_context(score: float, query, entry, *, explain: bool = True) -> tuple[float, list[str]]:
    """Rank by country and type: a small bonus when they agree, a small penalty when they differ.

    Without `explain` the reasons are left out (the score is the same).
    """
    reasons = []
    if query.countries and entry.countries:
        shared = query.countries & entry.countries
        if shared:
            score += COUNTRY_MATCH_BONUS
            if explain:
                reasons.append(f"country {', '.join(sorted(shared))} is on the entry")
        else:
            score -= COUNTRY_MISMATCH_PENALTY
            if explain:
                reasons.append(
                    f"country differs ({', '.join(sorted(query.countries))} / {', '.join(sorted(entry.countries))})"
                )
    if query.type != UNKNOWN and entry.type != UNKNOWN and _incompatible(query.type, entry.type):
        score -= TYPE_MISMATCH_PENALTY
        if explain:
            reasons.append(f"the entry is {'an' if entry.type[0] in 'aeiou' else 'a'} {entry.type}, the subject is not")
    return min(max(score, 0.0), 1.0), reasons


def _incompatible(query_type: str, entry_type: str) -> bool:
    # An entity may be named like a vessel or aircraft it owns; only a person against a non-person is a mismatch.
    return query_type != entry_type and INDIVIDUAL in (query_type, entry_type)
