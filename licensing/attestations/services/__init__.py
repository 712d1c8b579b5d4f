"""Writes about attestations: sending links (one or in bulk), opening them, submitting, revoking, reminding."""
