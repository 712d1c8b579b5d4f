"""What each clock does when its day passes, when its reminders go, and who may settle it by hand."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import Kind

# Dates that simply arrive: a licence reaching its expiry and records
# reaching the end of retention are not failures when the day passes.
PASSES_AS_MET = frozenset({Kind.LICENCE_EXPIRY, Kind.RECORD_RETENTION, Kind.VISA_EXPIRY})

# Clocks that no status change closes: the officer records that the response
# or appeal went out, or that the clock no longer applies.
SETTLED_BY_HAND = frozenset(
    {
        Kind.INTENT_TO_DENY_RESPONSE,
        Kind.APPEAL,
        Kind.RWA_RESUBMISSION,
        Kind.BIS_711_FIRST_FILING,
        Kind.BIS_711_LATER_FILING,
        Kind.DETERMINATION_REVIEW,
    }
)

# Days before the due day on which the owner is reminded.
DEFAULT_REMINDER_OFFSETS: dict[str, tuple[int, ...]] = {
    Kind.BIS_ACTION: (1,),
    Kind.AGENCY_RECOMMENDATION: (3,),
    Kind.RESOLUTION: (14, 3),
    Kind.INFORMATION_REQUEST_ANSWER: (3, 1),
    Kind.INTENT_TO_DENY_RESPONSE: (3, 1),
    Kind.DENIAL_FINAL: (7, 1),
    Kind.APPEAL: (14, 3, 1),
    Kind.RWA_RESUBMISSION: (7, 1),
    Kind.LICENCE_EXPIRY: (90, 30, 7),
    Kind.BIS_711_FIRST_FILING: (60, 30, 7),
    Kind.BIS_711_LATER_FILING: (60, 30, 7),
    Kind.DETERMINATION_REVIEW: (30, 7),
    Kind.RECORD_RETENTION: (30,),
    # A renewal takes months: the officer hears early enough to ask for the new visa.
    Kind.VISA_EXPIRY: (60, 30, 7),
}

# 762.6: records are kept five years.
RETENTION_YEARS = 5


def reminder_offsets(kind: str) -> tuple[int, ...]:
    """Return the reminder days for a kind, largest first; DEADLINE_REMINDER_OFFSETS may override them."""
    configured = getattr(settings, "DEADLINE_REMINDER_OFFSETS", {}) or {}
    unknown = set(configured) - set(Kind.values)
    if unknown:
        raise ImproperlyConfigured(f"DEADLINE_REMINDER_OFFSETS names unknown kinds {sorted(unknown)}")
    offsets = configured.get(kind, DEFAULT_REMINDER_OFFSETS[kind])
    if not all(isinstance(days, int) and not isinstance(days, bool) and days > 0 for days in offsets):
        raise ImproperlyConfigured(f"DEADLINE_REMINDER_OFFSETS[{str(kind)!r}] must be whole numbers of days above 0")
    return tuple(sorted(set(offsets), reverse=True))


def longest_offset() -> int:
    return max((max(reminder_offsets(kind), default=0) for kind in Kind.values), default=0)


def rwa_resubmission_days() -> int:
    # The regulation sets no limit for a resubmission after a return without
    # action; this is the company's own target.
    days = getattr(settings, "DEADLINE_RWA_RESUBMISSION_DAYS", 30)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ImproperlyConfigured("DEADLINE_RWA_RESUBMISSION_DAYS must be a whole number of days above 0")
    return days
