"""Charts drawn on the server as inline SVG: no script, readable on a phone, printable."""

from dataclasses import dataclass

from licensing.restoration.buckets import Bucket

# Colour-blind-safe (Okabe-Ito), as the dashboard's charts.
BUCKET_COLOURS = {
    Bucket.RESTORABLE: "#117733",
    Bucket.NEEDS_ATTESTATION: "#b35806",
    Bucket.LICENCE_REQUIRED: "#0b5394",
    Bucket.REFUSED: "#a40e26",
    Bucket.BLOCKED: "#6a3d9a",
    Bucket.AWAITING_SCREENING: "#666666",
}
WIDTH, HEIGHT, MARGIN = 600, 220, 30


@dataclass(frozen=True)
class Series:
    bucket: str
    label: str
    colour: str
    points: str
    last: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    top: int
    series: list[Series]
    first_day: str
    last_day: str
    baseline: int


def bucket_chart(days) -> Chart:
    """One line per bucket: subjects in it at the end of each day."""
    top = max([max(day.counts.values(), default=0) for day in days] + [1])
    span = max(len(days) - 1, 1)
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def point(index, count):
        return f"{MARGIN + plot_w * index / span:.1f},{MARGIN + plot_h * (1 - count / top):.1f}"

    series = [
        Series(
            bucket=value,
            label=label,
            colour=BUCKET_COLOURS[Bucket(value)],
            points=" ".join(point(i, day.counts[value]) for i, day in enumerate(days)),
            last=days[-1].counts[value] if days else 0,
        )
        for value, label in Bucket.choices
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        top=top,
        series=series,
        first_day=days[0].on.isoformat() if days else "",
        last_day=days[-1].on.isoformat() if days else "",
        baseline=HEIGHT - MARGIN,
    )
