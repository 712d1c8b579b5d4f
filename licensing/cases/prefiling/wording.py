"""End-use wording BIS says delays processing."""

import re

from .draft import Draft
from .problem import Problem

# BIS asks for a specific end use; these words alone send the application back with questions.
VAGUE_WORDS = ("various", "general", "unknown", "TBD", "to be determined", "N/A")
VAGUE = re.compile(r"(?<![\w/])(" + "|".join(re.escape(w) for w in VAGUE_WORDS) + r")(?![\w/])", re.IGNORECASE)


def end_use_specific(draft: Draft) -> Problem | None:
    found = sorted({m.group(1).lower() for m in VAGUE.finditer(draft.application.specific_end_use)})
    if not found:
        return None
    quoted = ", ".join(f"“{word}”" for word in found)
    return Problem(
        "21 Specific end use",
        "specific_end_use",
        f"Block 21 says {quoted}: BIS asks for a specific end use and holds vague ones for questions.",
        "Replace it with what the end user will do with the item, where and for which programme.",
    )
