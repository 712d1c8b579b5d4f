"""What a reviewer attests by approving a determination, worded once and versioned.

The determination page shows these words beside the approve button, and the
approval's event records the version shown, so the log says which words each
approval was given under. Change the words, change the version.
"""

APPROVAL_ATTESTATION_VERSION = "determination-approval-1"

APPROVAL_ATTESTATION = (
    "I did not prepare this determination, and I have read the evidence this page lists for it: "
    "the citizenship and residency records, the documents, and any attestation by the subject.",
    "The outcome and the country a release is attributed to follow from those records as of the effective date "
    "(15 CFR 772.1; 734.13(b): the most recent citizenship or permanent residency).",
    "I know of nothing that contradicts them, and no document I relied on appears altered or expired "
    "on the effective date.",
    "I understand that billing grants or refuses access on this determination until its review date.",
)
