"""How large the sample is, and that it is random yet recorded well enough to be drawn again."""

import pytest

from licensing.batches.sampling import draw, sample_size


@pytest.mark.parametrize(
    ("batch", "sample"),
    [(0, 0), (1, 1), (19, 19), (20, 20), (21, 20), (1000, 20), (1001, 21), (5000, 100), (50_000, 1000)],
)
def test_the_sample_is_twenty_or_two_percent_whichever_is_larger_and_never_more_than_the_batch(batch, sample):
    assert sample_size(batch) == sample


def test_the_same_seed_draws_the_same_sample_whatever_the_order_of_the_ids():
    ids = list(range(1, 2001))
    assert draw(ids, seed=42) == draw(list(reversed(ids)), seed=42)
    assert len(draw(ids, seed=42)) == 40


def test_different_seeds_draw_different_samples():
    ids = list(range(1, 2001))
    assert len({tuple(draw(ids, seed=seed)) for seed in range(10)}) == 10
