"""Reading generated PDFs the way a person would: the text, where the words are, and what page 1 looks like."""

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "filings"
DPI = 80
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page ")


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext reads it, with runs of white space made single spaces."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())


def page_texts(path: Path) -> list[str]:
    return [" ".join(page.split()) for page in pdf_text_raw(path).split("\f") if page.strip()]


def pdf_text_raw(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def words(path: Path) -> list[Word]:
    """Every word with its box in points, from pdftotext -bbox."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    found, page = [], 0
    for line in out.splitlines():
        if PAGE.search(line):
            page += 1
        match = WORD.search(line)
        if match:
            x0, y0, x1, y1 = (float(v) for v in match.groups()[:4])
            found.append(Word(page, x0, y0, x1, y1, html.unescape(match.group(5))))
    return found


def heading(found: list[Word], *sequence: str) -> Word:
    """The first word of the first place the words of `sequence` follow one another."""
    for i in range(len(found) - len(sequence) + 1):
        if all(found[i + k].text == text for k, text in enumerate(sequence)):
            return found[i]
    raise AssertionError(f"{' '.join(sequence)!r} is not in the PDF")


def first_page_png(path: Path, name: str) -> Path:
    """Turn page 1 into a PNG with pdftoppm; a copy is kept in tests/artifacts/filings to look at."""
    prefix = path.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", str(path), str(prefix)], check=True
    )
    png = prefix.with_suffix(".png")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(png, ARTIFACTS / f"{name}.png")
    return png


def shaded_share(png: Path, box: tuple[float, float, float, float]) -> float:
    """The share of pixels in a box (given in points) that are the grey of an empty block."""
    scale = DPI / 72
    with Image.open(png) as image:
        data = image.convert("RGB").crop(tuple(round(v * scale) for v in box)).tobytes()
    pixels = [data[i : i + 3] for i in range(0, len(data), 3)]
    grey = sum(1 for r, g, b in pixels if 215 <= r <= 240 and r == g == b)
    return grey / max(len(pixels), 1)


def page_size_pixels(png: Path) -> tuple[int, int]:
    with Image.open(png) as image:
        return image.size
