"""Name matching for restricted-party screening: normalised names, an index with candidate blocking, scoring."""
