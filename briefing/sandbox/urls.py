"""URL prefixes the user allows (`--allow-url`), parsed and judged without importing WeasyPrint."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_url_prefix(prefix: str) -> tuple[str, str, int, str]:
    """An allowed prefix as (scheme, host, port, path); the path always ends with `/`."""
    parts = urlsplit(prefix.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        raise ValueError(f"{prefix!r} is not an http:// or https:// URL prefix such as https://example.org/data/")
    path = parts.path or "/"
    if _has_dot_segments(path):
        raise ValueError(f"{prefix!r} contains . or .. segments")
    if not path.endswith("/"):
        path += "/"
    return scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[scheme], path


def below_a_prefix(parts: Any, prefixes: tuple[tuple[str, str, int, str], ...]) -> bool:
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme.lower()]
    except ValueError:
        return False
    if parts.username or parts.password or not parts.hostname or _has_dot_segments(parts.path):
        return False
    target = (parts.scheme.lower(), parts.hostname.lower(), port)
    path = parts.path or "/"
    return any(target == prefix[:3] and (path + "/").startswith(prefix[3]) for prefix in prefixes)


def _has_dot_segments(path: str) -> bool:
    """Whether a URL path climbs (`..`, `%2e%2e`) or hides a separator (`\\`) a server may honour."""
    decoded = unquote(path)
    return "\\" in decoded or any(segment in (".", "..") for segment in decoded.split("/"))
