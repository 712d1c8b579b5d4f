"""How many subjects of a batch the reviewer must open, and which: drawn at random, recorded with the seed."""

import math
import random
import secrets

SAMPLE_FLOOR = 20
SAMPLE_SHARE = 0.02


def sample_size(batch_size: int) -> int:
    """max(20, 2% of the batch rounded up), or the whole batch when it is smaller than that."""
    return min(batch_size, max(SAMPLE_FLOOR, math.ceil(batch_size * SAMPLE_SHARE)))


def new_seed() -> int:
    # Drawn from the system's randomness: neither the preparer nor the reviewer can choose it.
    return secrets.randbits(63)


def draw(ids: list[int], *, seed: int) -> list[int]:
    """The sampled ids out of `ids` (order-independent: the same seed and set always give the same sample)."""
    population = sorted(ids)
    return sorted(random.Random(seed).sample(population, sample_size(len(population))))
