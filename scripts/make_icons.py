"""Draw the app icons (our own simple artwork: a white parcel on the theme blue) as PNG files.

Run once when the artwork changes: ``python scripts/make_icons.py``; the PNGs are committed.
Pure standard library (zlib) so it needs nothing installed.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

BLUE = (0x00, 0x49, 0x93)
WHITE = (0xFF, 0xFF, 0xFF)
ICONS = Path(__file__).resolve().parent.parent / "pwa" / "static" / "icons"


def parcel_pixel(x: float, y: float, scale: float) -> tuple[int, int, int]:
    """Colour at (x, y) in unit coordinates 0..1; the parcel occupies the centre ``scale`` of the icon."""
    half = scale / 2
    u, v = (x - 0.5) / half, (y - 0.5) / half  # -1..1 inside the parcel's box
    inside_box = -0.62 <= u <= 0.62 and -0.45 <= v <= 0.62
    lid = -0.70 <= u <= 0.70 and -0.62 <= v <= -0.38
    tape = -0.09 <= u <= 0.09 and -0.62 <= v <= 0.62
    if (inside_box or lid) and not tape:
        return WHITE
    return BLUE


def png(size: int, scale: float) -> bytes:
    rows = bytearray()
    for j in range(size):
        rows.append(0)  # filter: none
        for i in range(size):
            rows.extend(parcel_pixel((i + 0.5) / size, (j + 0.5) / size, scale))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "icon-192.png").write_bytes(png(192, 0.8))
    (ICONS / "icon-512.png").write_bytes(png(512, 0.8))
    # Maskable: keep the artwork inside the 80 % safe zone (here 60 %), full-bleed background.
    (ICONS / "icon-maskable-512.png").write_bytes(png(512, 0.6))


if __name__ == "__main__":
    main()
