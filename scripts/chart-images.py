"""Pictures of every kind of chart, in the default and memo themes, for docs/charts.md.

    PYTHONPATH=. python scripts/chart-images.py       # writes docs/images/chart-<kind>-<theme>.png

Each chart of docs/examples/chart-kinds.yaml (illustrative numbers) is built alone into a PDF,
and its page is cut from the chart's title down to the sources that follow it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from ruamel.yaml import YAML

import briefing

ROOT = Path(__file__).resolve().parents[1]
KINDS = ROOT / "docs" / "examples" / "chart-kinds.yaml"
IMAGES = ROOT / "docs" / "images"
DPI = 110


def main() -> int:
    yaml = YAML(typ="safe")
    data = yaml.load(KINDS.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        for chart in data["background"]["charts"]:
            for theme in ("default", "memo"):
                brief = {**data, "background": {**data["background"], "charts": [chart]}}
                path = Path(folder) / "brief.yaml"
                with path.open("w", encoding="utf-8") as handle:
                    YAML().dump(brief, handle)
                pdf = Path(folder) / "brief.pdf"
                briefing.build(path, pdf, theme=theme, force=True)
                target = IMAGES / f"chart-{chart['kind']}-{theme}.png"
                cut(pdf, chart["title"].split()[0], target)
                print(target.relative_to(ROOT))
    return 0


def cut(pdf: Path, first_word: str, target: Path) -> None:
    """Page 1 of `pdf` from the chart's title (its first word) down to the sources heading."""
    words = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    boxes = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                       words)
    page_width = float(re.search(r'<page width="([\d.]+)"', words).group(1))
    title = next(box for box in boxes if box[4] == first_word and float(box[1]) > 150)
    sources = next(box for box in boxes if box[4].upper() == "SOURCES" and float(box[1]) > float(title[1]))
    top, bottom = float(title[1]) - 10, float(sources[1]) - 14
    left = min(float(box[0]) for box in boxes if float(title[1]) <= float(box[1]) <= bottom) - 10
    stem = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", str(pdf), str(stem)], check=True)
    scale = DPI / 72
    with Image.open(next(pdf.parent.glob(f"{stem.name}-*1.png"))) as image:
        image.crop((round(left * scale), round(top * scale), round((page_width - 40) * scale),
                    round(bottom * scale))).save(target, optimize=True)


if __name__ == "__main__":
    sys.exit(main())
