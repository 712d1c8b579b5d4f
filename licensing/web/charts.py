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


# The dashboard's charts: drawn in a small box so their text stays legible when a phone scales them down.
BOX_WIDTH = 360
AXIS_FONT = 10
PAIR_COLOURS = ("#0b5394", "#b35806")  # Okabe-Ito blue and orange: told apart without colour vision too
AGEING_COLOURS = {"overdue": "#a40e26", "week": "#b35806", "month": "#0b5394", "later": "#117733", "none": "#6b6b6b"}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    gridlines: list[float]
    legend: list[tuple[str, str]]
    left: float
    right: float
    baseline: float


def _scale_top(largest: int) -> int:
    """A round top for the axis: at least 1, and even so its middle tick is a whole number."""
    return max(2, largest + largest % 2)


def weekly_chart(rows, names: tuple[str, str]) -> BarChart:
    """Two bars per week side by side (e.g. opened and closed), weeks left to right, a tick every third week."""
    height, left, right, top_margin, bottom = 190, 30, BOX_WIDTH - 6, 10, 160
    top = _scale_top(max([max(row[1], row[2]) for row in rows] + [0]))
    slot = (right - left) / max(len(rows), 1)
    bar_width = slot * 0.36
    plot_height = bottom - top_margin
    bars, labels = [], []
    for index, (week, *values) in enumerate(rows):
        for which, value in enumerate(values):
            bar_height = plot_height * value / top
            bars.append(
                Bar(
                    x=round(left + slot * index + slot * 0.12 + bar_width * which, 1),
                    y=round(bottom - bar_height, 1),
                    width=round(bar_width, 1),
                    height=round(bar_height, 1),
                    colour=PAIR_COLOURS[which],
                    title=f"Week of {week:%-d %b}: {value} {names[which].lower()}",
                )
            )
        if index % 3 == 0:
            labels.append(Label(x=round(left + slot * (index + 0.5), 1), y=bottom + 14, text=f"{week:%-d %b}"))
    for tick in (0, top // 2, top):
        tick_y = round(bottom - plot_height * tick / top + 3.5, 1)
        labels.append(Label(x=left - 4, y=tick_y, text=str(tick), anchor="end"))
    gridlines = [round(bottom - plot_height * tick / top, 1) for tick in (top // 2, top)]
    return BarChart(
        width=BOX_WIDTH,
        height=height,
        bars=bars,
        labels=labels,
        gridlines=gridlines,
        legend=list(zip(names, PAIR_COLOURS, strict=True)),
        left=left,
        right=right,
        baseline=bottom,
    )


def ageing_chart(rows) -> BarChart:
    """One horizontal bar per bucket, its label above it and its count at its end."""
    row_height, left, right = 34, 4, BOX_WIDTH - 40
    top = max([count for _, _, count in rows] + [1])
    bars, labels = [], []
    for index, (key, label, count) in enumerate(rows):
        y = index * row_height
        labels.append(Label(x=left, y=y + 11, text=label, anchor="start"))
        width = (right - left) * count / top
        colour = AGEING_COLOURS[key]
        bars.append(Bar(x=left, y=y + 15, width=round(width, 1), height=13, colour=colour, title=f"{label}: {count}"))
        labels.append(Label(x=round(left + width + 4, 1), y=y + 26, text=str(count), anchor="start"))
    return BarChart(
        width=BOX_WIDTH,
        height=row_height * len(rows) + 4,
        bars=bars,
        labels=labels,
        gridlines=[],
        legend=[],
        left=left,
        right=right,
        baseline=row_height * len(rows),
    )
