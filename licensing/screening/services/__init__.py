"""Writes with business meaning for screening: imports, screens, re-screens and adjudications."""
