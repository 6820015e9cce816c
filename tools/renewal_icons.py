"""Draw the renewal app's home-screen icons (192 and 512 px PNG) into
certwright/renewal/static/renewal/: the brand blue with a white ring and a check
mark, shapes only (no font), so the same Pillow draws the same bytes.

    /work/main/.venv/bin/python tools/renewal_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (0x1F, 0x5F, 0x99)
WHITE = (255, 255, 255)
OUT = (
    Path(__file__).resolve().parents[1]
    / "certwright"
    / "renewal"
    / "static"
    / "renewal"
)


def icon(size: int) -> Image.Image:
    # Drawn at four times the size and scaled down: smooth edges, still repeatable.
    big = size * 4
    image = Image.new("RGB", (big, big), BRAND)
    draw = ImageDraw.Draw(image)
    # The ring sits inside the maskable safe zone (the middle 80 %).
    margin, width = big * 0.22, big * 0.06
    draw.ellipse(
        (margin, margin, big - margin, big - margin), outline=WHITE, width=int(width)
    )
    check = [(0.36, 0.52), (0.46, 0.62), (0.66, 0.40)]
    draw.line(
        [(x * big, y * big) for x, y in check],
        fill=WHITE,
        width=int(width),
        joint="curve",
    )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", format="PNG", optimize=True)


if __name__ == "__main__":
    main()
