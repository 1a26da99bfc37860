"""Hostile HTML and CSS meet the confined fetcher: nothing outside the folders is read,
nothing is fetched from the network unless allowed, and every refusal names the resource."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import minimal_brief, run_cli, write_yaml
from helpers.hostile import HOSTNAME, embedded_files, listening, png_bytes

from briefing.errors import BriefError
from briefing.printing.fetcher import MAX_RESOURCE_BYTES
from briefing.printing.typeset import print_pdf
from briefing.themes.theme import Theme, load_theme

OUTSIDE = "outside the brief's and theme's folders"
NETWORK_OFF = "network access is off (allow a prefix with --allow-url)"


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body><p>Hello</p>{body}</body></html>"


def printed(folder: Path, body: str, head: str = "", **options):
    return print_pdf(page(body, head), allowed_folders=(folder,), **options)


def problems(folder: Path, body: str, head: str = "", **options) -> list[str]:
    with pytest.raises(BriefError) as raised:
        printed(folder, body, head, **options)
    return [str(problem) for problem in raised.value.problems]


@pytest.fixture
def folder(tmp_path) -> Path:
    brief = tmp_path / "brief"
    brief.mkdir()
    (brief / "dot.png").write_bytes(png_bytes())
    return brief


# Files outside the folders

@pytest.mark.parametrize("body, head", [
    ('<img src="file:///etc/hostname">', ""),
    ('<link rel="attachment" href="file:///etc/hostname">', ""),
    ('<a rel="attachment" href="file:///etc/hostname">annex</a>', ""),
    ("", '<link rel="stylesheet" href="file:///etc/hostname">'),
    ("", '<style>@import url("file:///etc/hostname");</style>'),
    ('<div style="background: url(file:///etc/hostname)">x</div>', ""),
    ("", "<style>@font-face { font-family: X; src: url(file:///etc/hostname); } p { font-family: X }</style>"),
], ids=["img", "link-attachment", "a-attachment", "stylesheet", "css-import", "css-background", "font-face"])
@pytest.mark.pdf
def test_file_outside_the_folders_is_refused_by_name(folder, body, head):
    assert problems(folder, body, head) == [f"file:///etc/hostname: refused: {OUTSIDE}"]


@pytest.mark.pdf
def test_dot_dot_path_is_resolved_before_it_is_judged(folder):
    climb = "../" * 30
    assert problems(folder, f'<img src="{climb}etc/hostname">') == [f"file:///etc/hostname: refused: {OUTSIDE}"]


@pytest.mark.pdf
def test_percent_encoded_dot_dot_is_decoded_before_it_is_judged(folder):
    climb = "%2e%2e/" * 30
    [problem] = problems(folder, f'<link rel="attachment" href="{folder.as_uri()}/{climb}etc/hostname">')
    assert problem.endswith(f"%2e%2e/etc/hostname: refused: {OUTSIDE}")
    assert problem.startswith(folder.as_uri())


@pytest.mark.pdf
def test_symbolic_link_out_of_the_folder_is_refused(folder):
    (folder / "escape").symlink_to("/etc")
    url = (folder / "escape" / "hostname").as_uri()
    assert problems(folder, f'<link rel="attachment" href="{url}">') == [f"{url}: refused: {OUTSIDE}"]


@pytest.mark.pdf
def test_link_to_dev_zero_inside_the_folder_is_refused(folder):
    (folder / "zeros.png").symlink_to("/dev/zero")
    url = (folder / "zeros.png").as_uri()
    assert problems(folder, f'<img src="{url}">') == [f"{url}: refused: {OUTSIDE}"]


@pytest.mark.pdf
def test_fifo_inside_the_folder_is_refused_without_waiting(folder):
    os.mkfifo(folder / "pipe.png")
    url = (folder / "pipe.png").as_uri()
    assert problems(folder, f'<img src="{url}">') == [f"{url}: refused: not a regular file"]


@pytest.mark.pdf
def test_folder_given_as_a_file_is_refused(folder):
    (folder / "sub").mkdir()
    url = (folder / "sub").as_uri()
    assert problems(folder, f'<link rel="attachment" href="{url}">') == [f"{url}: refused: not a regular file"]


@pytest.mark.pdf
def test_file_above_the_size_cap_is_refused(folder):
    huge = folder / "huge.png"
    with huge.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(MAX_RESOURCE_BYTES + 1)
    url = huge.as_uri()
    assert problems(folder, f'<img src="{url}">') == [
        f"{url}: refused: larger than the {MAX_RESOURCE_BYTES} byte limit"]


@pytest.mark.pdf
def test_missing_file_is_an_error_not_a_gap(folder):
    url = (folder / "missing.png").as_uri()
    assert problems(folder, f'<img src="{url}">') == [f"{url}: refused: no such file"]


@pytest.mark.parametrize("url, reason", [
    ("ftp://127.0.0.1/x.png", "the ftp scheme is not allowed"),
    ("file://elsewhere/etc/hostname", "files on other hosts (elsewhere) are not allowed"),
])
@pytest.mark.pdf
def test_other_schemes_and_hosts_are_refused(folder, url, reason):
    [problem] = problems(folder, f'<img src="{url}">')
    assert problem.startswith(f"{url}: refused: {reason}")


@pytest.mark.pdf
def test_file_inside_the_folder_is_read_and_the_embedded_file_check_sees_both_kinds(folder):
    # The control for every "nothing embedded" assertion: both kinds of attachment are found.
    (folder / "annex.csv").write_text("year,value\n2024,1\n")
    pdf = printed(folder, f'<img src="{(folder / "dot.png").as_uri()}" style="width: 2cm">'
                          f'<a rel="attachment" href="annex.csv">annex</a>',
                  head=f'<link rel="attachment" href="{(folder / "dot.png").as_uri()}">'
                       f'<base href="{folder.as_uri()}/">')
    assert pdf.pages == 1
    assert b"/Image" in pdf.pdf
    (folder / "out.pdf").write_bytes(pdf.pdf)
    assert sorted(embedded_files(folder / "out.pdf")) == ["annex.csv", "dot.png"]


@pytest.mark.pdf
def test_theme_stylesheet_importing_a_file_outside_is_refused(tmp_path, folder):
    theme_folder = tmp_path / "theme"
    theme_folder.mkdir()
    (theme_folder / "brief.css").write_text('@import url("/etc/hostname");\n')
    theme = Theme("hostile", folders=(theme_folder, *load_theme().folders))
    with pytest.raises(BriefError) as raised:
        print_pdf(page(""), theme, allowed_folders=(folder,))
    assert [str(p) for p in raised.value.problems] == [f"file:///etc/hostname: refused: {OUTSIDE}"]


def test_theme_stylesheet_that_links_outside_is_refused(tmp_path, folder):
    theme_folder = tmp_path / "theme"
    theme_folder.mkdir()
    (theme_folder / "brief.css").symlink_to(HOSTNAME)
    theme = Theme("hostile", folders=(theme_folder, *load_theme().folders))
    with pytest.raises(BriefError) as raised:
        print_pdf(page(""), theme, allowed_folders=(folder,))
    assert [str(p) for p in raised.value.problems] == [f"file:///etc/hostname: refused: {OUTSIDE}"]


# SVG

def test_svg_external_file_entity_is_not_expanded(folder):
    (folder / "entity.svg").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/hostname">]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20"><text y="15">&secret;</text></svg>\n')
    url = (folder / "entity.svg").as_uri()
    [problem] = problems(folder, f'<img src="{url}">')
    assert problem == f"default: Failed to load image at {url!r}: not a readable image or file"


@pytest.mark.pdf
def test_svg_external_network_entity_makes_no_connection(folder):
    with listening() as server:
        (folder / "entity.svg").write_text(
            f'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY secret SYSTEM "{server.base}/x">]>\n'
            '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20"><text y="15">&secret;</text></svg>\n')
        with pytest.raises(BriefError):
            printed(folder, f'<img src="{(folder / "entity.svg").as_uri()}">')
    assert server.connections == 0


def test_svg_image_reference_outside_is_refused(folder):
    (folder / "inner.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" '
        'height="20"><image width="20" height="20" xlink:href="file:///etc/hostname"/></svg>\n')
    assert problems(folder, f'<img src="{(folder / "inner.svg").as_uri()}">') == [
        f"file:///etc/hostname: refused: {OUTSIDE}"]


# Network

@pytest.mark.parametrize("body, head", [
    ('<img src="{base}/dot.png">', ""),
    ('<link rel="attachment" href="{base}/dot.png">', ""),
    ("", '<link rel="stylesheet" href="{base}/style.css">'),
    ("", '<style>@import url("{base}/style.css");</style>'),
    ("", "<style>body {{ background: url({base}/dot.png) }}</style>"),
    ("", "<style>@font-face {{ font-family: X; src: url({base}/font.ttf); }} p {{ font-family: X }}</style>"),
], ids=["img", "attachment", "stylesheet", "css-import", "css-background", "font-face"])
@pytest.mark.pdf
def test_network_is_off_by_default_and_no_connection_is_made(folder, body, head):
    with listening() as server:
        url = server.base + ("/font.ttf" if "font" in head else "/style.css" if "css" in head + body
                             or "stylesheet" in head else "/dot.png")
        assert problems(folder, body.format(base=server.base), head.format(base=server.base)) == [
            f"{url}: refused: {NETWORK_OFF}"]
    assert server.connections == 0


@pytest.mark.pdf
def test_allowed_url_prefix_is_fetched(folder):
    with listening({"/allowed/dot.png": (200, {"Content-Type": "image/png"}, png_bytes())}) as server:
        pdf = printed(folder, f'<img src="{server.base}/allowed/dot.png">',
                      allowed_urls=(f"{server.base}/allowed/",))
    assert b"/Image" in pdf.pdf
    assert server.requests == ["/allowed/dot.png"]


@pytest.mark.parametrize("path", ["/allowedx/dot.png", "/allowed/../secret.png", "/allowed/%2e%2e/secret.png",
                                  "/other/dot.png"])
@pytest.mark.pdf
def test_url_outside_the_allowed_prefix_makes_no_connection(folder, path):
    with listening() as server:
        [problem] = problems(folder, f'<img src="{server.base}{path}">', allowed_urls=(f"{server.base}/allowed",))
    assert problem.endswith("refused: outside the allowed URL prefixes")
    assert server.connections == 0


@pytest.mark.pdf
def test_other_port_on_the_same_host_is_outside_the_prefix(folder):
    with listening() as allowed, listening() as other:
        [problem] = problems(folder, f'<img src="{other.base}/allowed/dot.png">',
                             allowed_urls=(f"{allowed.base}/allowed/",))
    assert problem == f"{other.base}/allowed/dot.png: refused: outside the allowed URL prefixes"
    assert allowed.connections == other.connections == 0


@pytest.mark.pdf
def test_redirect_out_of_the_allowed_prefix_is_refused(folder):
    with listening({"/target.png": (200, {"Content-Type": "image/png"}, png_bytes())}) as elsewhere:
        routes = {"/allowed/dot.png": (302, {"Location": f"{elsewhere.base}/target.png"}, b"")}
        with listening(routes) as allowed:
            found = problems(folder, f'<img src="{allowed.base}/allowed/dot.png">',
                             allowed_urls=(f"{allowed.base}/allowed/",))
    assert found == [f"{elsewhere.base}/target.png: refused: outside the allowed URL prefixes"]
    assert allowed.requests == ["/allowed/dot.png"]
    assert elsewhere.connections == 0


@pytest.mark.pdf
def test_redirect_to_a_local_file_is_refused(folder):
    routes = {"/allowed/dot.png": (302, {"Location": "file:///etc/hostname"}, b"")}
    with listening(routes) as allowed:
        [problem] = problems(folder, f'<img src="{allowed.base}/allowed/dot.png">',
                             allowed_urls=(f"{allowed.base}/allowed/",))
    assert "/allowed/dot.png" in problem
    assert allowed.requests == ["/allowed/dot.png"]


@pytest.mark.pdf
def test_redirect_loop_inside_the_prefix_ends_in_an_error(folder):
    with listening() as server:
        server.routes["/allowed/a.png"] = (302, {"Location": f"{server.base}/allowed/b.png"}, b"")
        server.routes["/allowed/b.png"] = (302, {"Location": f"{server.base}/allowed/a.png"}, b"")
        [problem] = problems(folder, f'<img src="{server.base}/allowed/a.png">',
                             allowed_urls=(f"{server.base}/allowed/",))
    assert "redirect" in problem.lower()
    assert 2 <= len(server.requests) <= 11


@pytest.mark.parametrize("prefix", ["ftp://example.org/", "file:///etc/", "example.org", "https://user@example.org/",
                                    "https://example.org/a/../b/"])
def test_allowed_url_must_be_a_plain_http_prefix(folder, prefix):
    [problem] = problems(folder, "", allowed_urls=(prefix,))
    assert problem.startswith(f"options: allowed_urls: {prefix!r} ")


@pytest.mark.pdf
def test_command_line_refuses_a_bad_url_prefix_with_exit_status_2(tmp_path):
    content = write_yaml(tmp_path / "brief.yaml", minimal_brief())
    result = run_cli("build", str(content), "--allow-url", "file:///etc/", cwd=tmp_path)
    assert result.returncode == 2
    assert any(line.startswith("error: --allow-url: 'file:///etc/' is not an http:// or https:// URL prefix")
               for line in result.stderr.splitlines())
    assert "Traceback" not in result.stderr


@pytest.mark.pdf
def test_command_line_allows_a_url_prefix(tmp_path):
    with listening({"/assets/dot.png": (200, {"Content-Type": "image/png"}, png_bytes())}) as server:
        content = write_yaml(tmp_path / "brief.yaml",
                             minimal_brief(summary=[f"Map: ![map]({server.base}/assets/dot.png)"]))
        refused = run_cli("build", str(content), cwd=tmp_path)
        allowed = run_cli("build", str(content), "--allow-url", f"{server.base}/assets/", cwd=tmp_path)
    assert refused.returncode == 2 and "network access is off" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr
    assert server.requests == ["/assets/dot.png"]
