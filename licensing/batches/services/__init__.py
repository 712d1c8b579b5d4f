"""Writes about batches: preparing (preparation.py), the sampled review (review.py), the approval (approval.py)."""
