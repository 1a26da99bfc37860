"""Fetch: the only way a print reads anything — stylesheets, fonts, images, attachments.

WeasyPrint hands every URL of every HTML and CSS object to one fetcher. This one reads

- `data:` URIs;
- regular files inside the allowed folders (the brief's folder and the theme's
  folders), judged after percent-decoding, resolving `..` and following
  symbolic links, and no larger than `MAX_RESOURCE_BYTES`;
- `http:`/`https:` URLs only below a prefix the user allowed (`--allow-url`),
  and every redirect is judged again, so it cannot lead outside the prefixes.

Anything else is refused with `RefusedResource`, which stops the print: a refused
resource is an error that names it, never a silent gap in the PDF.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..sandbox.files import Refused, read_inside
from ..sandbox.urls import below_a_prefix, parse_url_prefix
from .engine import weasyprint

weasyprint()  # imported without slow library searches, before anything below imports it
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: E402

MAX_RESOURCE_BYTES = 32 * 1024 * 1024
NETWORK_TIMEOUT = 10


class RefusedResource(FatalURLFetchingError):
    """A resource the fetcher will not read; stops the print."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class ConfinedFetcher(URLFetcher):
    """Reads `data:` URIs, regular files below `folders`, and URLs below `allowed_urls`; nothing else.

    `search` is the path along which the document's own relative URLs are found: they resolve
    against its first folder (the content's), and a file missing there is looked for at the same
    place in each later folder (the theme's), much as templates are found along the theme's path.
    """

    def __init__(self, folders: tuple[Path, ...], allowed_urls: tuple[str, ...] = (),
                 max_bytes: int = MAX_RESOURCE_BYTES, search: tuple[Path, ...] = ()):
        # Only gzip: a deflate body would be inflated whole before the size cap could look at it.
        super().__init__(timeout=NETWORK_TIMEOUT, allowed_protocols={"data", "file", "http", "https"},
                         allow_redirects=bool(allowed_urls), http_headers={"Accept-Encoding": "gzip"})
        self.folders = tuple(Path(folder).resolve() for folder in folders)
        self.prefixes = tuple(parse_url_prefix(prefix) for prefix in allowed_urls)
        self.max_bytes = max_bytes
        self.search = tuple(Path(folder).resolve() for folder in search)
        self.refused: list[RefusedResource] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        try:
            parts = urlsplit(url)
        except ValueError:
            self._refuse(url, "not a valid URL")
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            return self._read_file(url, parts)
        if scheme in ("http", "https"):
            return self._download(url, parts, headers)
        self._refuse(url, f"the {scheme or 'missing'} scheme is not allowed (only data:, files in the "
                          "brief's and theme's folders, and --allow-url prefixes)")

    # files

    def _read_file(self, url: str, parts: Any) -> URLFetcherResponse:
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, f"files on other hosts ({parts.netloc}) are not allowed")
        try:
            path = unquote(parts.path, errors="strict")  # decoded once; read_inside resolves `..` and links
        except (UnicodeDecodeError, ValueError):
            self._refuse(url, "not a valid file path")
        try:
            path = self._along_search_path(path)
            body = read_inside(path, self.folders, self.max_bytes)
        except Refused as refusal:
            self._refuse(url, "outside the brief's and theme's folders" if refusal.kind == "outside"
                         else refusal.reason)
        return URLFetcherResponse(url=Path(os.path.realpath(path)).as_uri(), body=body)

    def _along_search_path(self, path: str) -> str:
        """`path`, or where it lies in a later folder of the search path when the first lacks it."""
        if not self.search or os.path.lexists(path):
            return path
        try:
            relative = Path(os.path.normpath(path)).relative_to(self.search[0])
        except ValueError:
            return path
        for folder in self.search[1:]:
            candidate = folder / relative
            if os.path.lexists(candidate):
                return str(candidate)
        return path

    # network

    def _download(self, url: str, parts: Any, headers: Any) -> URLFetcherResponse:
        if not self.prefixes:
            self._refuse(url, "network access is off (allow a prefix with --allow-url)")
        if not below_a_prefix(parts, self.prefixes):
            self._refuse(url, "outside the allowed URL prefixes")
        response = super().fetch(url, headers)
        try:
            body = response.read(self.max_bytes + 1)
        finally:
            response.close()
        if len(body) > self.max_bytes:
            self._refuse(url, f"larger than the {self.max_bytes} byte limit")
        return URLFetcherResponse(url=response.url, body=body, headers=response.headers,
                                  status=response.status)

    def _refuse(self, url: str, reason: str) -> Any:
        refusal = RefusedResource(url, reason)
        self.refused.append(refusal)
        raise refusal
