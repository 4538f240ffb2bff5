"""Static files (/static/…), compressed once per process at the best ratio.

Asset URLs carry a content hash (templating.asset_url), so every file is cached for a year and
fetched once per phone; what matters is its size on a slow network, not the CPU time to compress
it once. Text files are therefore compressed with brotli at quality 11 (the DKFDS stylesheet:
215 KB → 22 KB, against 32 KB at the quality that suits per-request compression of pages) and gzip
at level 9, the first time a worker serves them, off the event loop; then served from memory.
Fonts and images are already compressed and are sent as they are. The compression middleware
(for pages) skips /static/.
"""

from __future__ import annotations

import gzip
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import anyio
import brotli
from litestar import Request, Response, get, head
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from backend.web.templating import STATIC_DIR

CACHE_CONTROL = "public, max-age=31536000, immutable"
COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/json",
                "text/plain", "application/manifest+json"}


@dataclass(frozen=True, slots=True)
class Asset:
    media_type: str
    identity: bytes
    br: bytes | None
    gzip: bytes | None


_assets: dict[Path, Asset] = {}
_root = STATIC_DIR.resolve()


def _load(file: Path) -> Asset:
    body = file.read_bytes()
    media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if media_type not in COMPRESSIBLE or len(body) < 500:
        return Asset(media_type, body, None, None)
    return Asset(media_type, body, brotli.compress(body, quality=11, mode=brotli.MODE_TEXT),
                 gzip.compress(body, compresslevel=9, mtime=0))


def accepted_encodings(request: Request) -> set[str]:
    header = request.headers.get("accept-encoding", "")
    accepted = set()
    for part in header.split(","):
        name, _sep, params = part.strip().partition(";")
        if params.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        accepted.add(name.strip().lower())
    return accepted


async def _asset_response(request: Request, path: str) -> tuple[bytes, str, dict[str, str]]:
    if "\x00" in path:  # the file system cannot name it (resolve() would raise ValueError)
        raise NotFoundException()
    file = (_root / path.lstrip("/")).resolve()
    if not file.is_relative_to(_root) or not file.is_file():
        raise NotFoundException()
    asset = _assets.get(file)
    if asset is None:
        asset = _assets[file] = await anyio.to_thread.run_sync(_load, file)
    headers = {"Cache-Control": CACHE_CONTROL}
    body = asset.identity
    if asset.br is not None:
        headers["Vary"] = "Accept-Encoding"
        accepted = accepted_encodings(request)
        if "br" in accepted:
            body, headers["Content-Encoding"] = asset.br, "br"
        elif "gzip" in accepted:
            body, headers["Content-Encoding"] = asset.gzip, "gzip"
    return body, asset.media_type, headers


@get("/static/{path:path}", include_in_schema=False, name="static", opt={"access": "public"})
async def static_file(request: Request, path: FromPath[str]) -> Response:
    body, media_type, headers = await _asset_response(request, path)
    return Response(body, media_type=media_type, headers=headers)


@head("/static/{path:path}", include_in_schema=False, name="static_head", opt={"access": "public"})
async def static_file_head(request: Request, path: FromPath[str]) -> Response[None]:
    """The same headers as GET, without the body."""
    body, media_type, headers = await _asset_response(request, path)
    return Response(None, media_type=media_type, headers={**headers, "Content-Length": str(len(body))})


routes = [static_file, static_file_head]
