"""Product pictures: the import makes a small version (at most 320 px, at most 15 KB, WebP) that
the grant cards show lazily instead of the placeholder; the demo draws simple silhouettes."""

from __future__ import annotations

import hashlib
import io

import msgspec
from PIL import Image, ImageDraw, UnidentifiedImageError

MAX_SIDE = 192                        # shown at 64 CSS px: sharp up to 3× screens, small on the first visit
MAX_BYTES = 15 * 1024                # the budget per picture
MAX_SOURCE_BYTES = 10 * 1024 * 1024  # a tender's product photo; larger files are refused unread
MAX_SOURCE_PIXELS = 40_000_000       # refuses decompression bombs before they are decoded
MEDIA_TYPE = "image/webp"
_QUALITIES = (80, 70, 60, 50, 40, 30)


class PictureError(ValueError):
    """The file is not a picture we can use (the message is a msgid, translated by the caller)."""


class Picture(msgspec.Struct, frozen=True):
    data: bytes
    media_type: str
    width: int
    height: int

    @property
    def etag(self) -> str:
        """Content hash: the picture URL's version and its ETag (a new picture gets a new URL)."""
        return hashlib.sha256(self.data).hexdigest()[:20]


def _opened(source: bytes) -> Image.Image:
    from backend.catalog.labels import N_

    if len(source) > MAX_SOURCE_BYTES:
        raise PictureError(N_("The picture is larger than 10 MB."))
    try:
        image = Image.open(io.BytesIO(source))
        if image.width * image.height > MAX_SOURCE_PIXELS:
            raise PictureError(N_("The picture has too many pixels."))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        if isinstance(exc, PictureError):
            raise
        raise PictureError(N_("The picture cannot be read. Use a JPEG, PNG or WebP file.")) from None
    return image


def _flattened(image: Image.Image) -> Image.Image:
    """RGB on white (transparent product photos must not turn black)."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def small_version(source: bytes) -> Picture:
    """At most 320 px on the longer side and at most 15 KB: lower quality first, then smaller."""
    image = _flattened(_opened(source))
    side = MAX_SIDE
    while side >= 64:
        copy = image.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        for quality in _QUALITIES:
            out = io.BytesIO()
            copy.save(out, "WEBP", quality=quality, method=4)
            if out.tell() <= MAX_BYTES:
                return Picture(out.getvalue(), MEDIA_TYPE, copy.width, copy.height)
        side = side * 3 // 4
    from backend.catalog.labels import N_

    raise PictureError(N_("The picture cannot be made small enough."))


# Demo silhouettes by category: a bag, a base plate (ring), a tube, a bottle, a catheter.
_COLOURS = ("#cfe3f3", "#f3e3cf", "#dcefd8", "#eadcf3", "#f3d8dc")


def demo_picture(category: str, seed: int) -> bytes:
    """A simple drawn product silhouette (PNG source for ``small_version``): no binary files in git."""
    image = Image.new("RGB", (256, 256), _COLOURS[seed % len(_COLOURS)])
    draw = ImageDraw.Draw(image)
    ink, body = "#1a3a5a", "#ffffff"
    if "base_plate" in category or category == "seal_ring":
        draw.ellipse((38, 38, 218, 218), fill=body, outline=ink, width=6)
        draw.ellipse((98, 98, 158, 158), fill=_COLOURS[(seed + 2) % len(_COLOURS)], outline=ink, width=5)
    elif category in ("paste", "deodorant", "adhesive_remover", "barrier_film"):
        draw.rounded_rectangle((88, 40, 168, 220), radius=18, fill=body, outline=ink, width=6)
        draw.rectangle((108, 18, 148, 42), fill=ink)
    elif category.startswith("catheter"):
        draw.line((40, 210, 120, 130, 200, 50), fill=ink, width=12, joint="curve")
        draw.ellipse((186, 36, 216, 66), fill=body, outline=ink, width=5)
    elif category == "belt":
        draw.rounded_rectangle((20, 100, 236, 156), radius=26, fill=body, outline=ink, width=6)
        draw.rectangle((110, 92, 146, 164), outline=ink, width=6)
    else:  # bags: closed, drainable, urostomy, night and leg bags
        draw.rounded_rectangle((58, 30, 198, 226), radius=48, fill=body, outline=ink, width=6)
        draw.ellipse((103, 60, 153, 110), outline=ink, width=6)
        if "drainable" in category or "urostomy" in category or "urine" in category or "night" in category:
            draw.rectangle((116, 222, 140, 246), fill=ink)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
