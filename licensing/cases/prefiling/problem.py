from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing to put right before the application goes for review: where on the BIS-748P, what, and how."""

    block: str
    # The application's field, or the kind of record (parties, items, ...) that needs the change.
    field: str
    message: str
    fix: str

    def as_dict(self) -> dict[str, str]:
        return {"block": self.block, "field": self.field, "message": self.message, "fix": self.fix}
