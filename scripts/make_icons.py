"""Draw the installable app's icons (PNG) from the favicon's design: run once, commit the
files (``python scripts/make_icons.py``). Pillow only.

- ``icon-192.png``, ``icon-512.png``: the rounded square of ``favicon.svg``;
- ``icon-maskable-512.png``: the square in full bleed with the letter inside the safe
  zone (the middle 80%), for launchers that cut the icon to their own shape.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = "#084a8c"
WHITE = "#ffffff"
OUT = Path(__file__).resolve().parent.parent / "dziennik" / "static" / "icons"


def _bezier(p0, p1, p2, p3, steps=24):
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        yield (
            u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
        )


def _letter() -> list[tuple[float, float]]:
    """The favicon's "D" (in its 32×32 box): M9 7h8.5C23 7 26 10.6 26 16s-3 9-8.5 9H9z."""
    points = [(9, 7), (17.5, 7)]
    points += list(_bezier((17.5, 7), (23, 7), (26, 10.6), (26, 16)))
    points += list(_bezier((26, 16), (26, 21.4), (23, 25), (17.5, 25)))
    points += [(9, 25), (9, 7), (17.5, 7)]
    return points


def draw(size: int, *, maskable: bool) -> Image.Image:
    scale = 4  # drawn large, then scaled down: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    canvas = ImageDraw.Draw(image)
    if maskable:
        canvas.rectangle((0, 0, big, big), fill=BLUE)
        box, offset = big * 0.6 / 32, big * 0.2  # the letter within the safe zone
    else:
        canvas.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 / 32, fill=BLUE)
        box, offset = big / 32, 0
    points = [(offset + x * box, offset + y * box) for x, y in _letter()]
    canvas.line(points, fill=WHITE, width=round(3.2 * box), joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    draw(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
