#!/bin/sh
# The system packages briefing needs, found by what they bring (a library, a program, a font),
# so that a machine that has them another way passes too:
#   sh scripts/system-check.sh brief   what `make brief` needs: Pango, HarfBuzz's subsetter, fonts
#   sh scripts/system-check.sh test    that, and the independent checkers the tests read PDFs with
# Run as root where apt-get works, it installs what is missing (that is what `make brief` and
# `make test` do first). Otherwise it prints the `sudo apt-get install …` line and exits 1,
# so make stops before the build or the tests. Silent when nothing is missing.
# Fonts: Arabic and Hebrew faces ship with the default theme; Chinese, Japanese and Korean
# need the system's Noto CJK (fonts-noto-cjk, about 90 MB), too large to ship.
set -u
what=${1:-brief}
case "$what" in
  brief|test) ;;
  *) echo "usage: sh scripts/system-check.sh brief|test" >&2; exit 2 ;;
esac
python=${PYTHON:-python3}

have_lib() { PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q "$1"; }
have_program() { for name in "$@"; do command -v "$name" >/dev/null 2>&1 && return 0; done; return 1; }
have_programs() { for name in "$@"; do command -v "$name" >/dev/null 2>&1 || return 1; done; }
have_jars() { for jar in "$@"; do [ -f "/usr/share/java/$jar" ] || return 1; done; }
have_font_for() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list ":lang=$1" family 2>/dev/null | head -n 1)" ]; }
have_cjk_fonts() { have_font_for ko && have_font_for ja && have_font_for zh-cn; }

# "package|test that says it is there" — the brief's, then the tests' own.
brief_needs="python3-venv|$python -c 'import ensurepip'
libpango-1.0-0|have_lib libpango-1.0.so.0
libpangoft2-1.0-0|have_lib libpangoft2-1.0.so.0
libharfbuzz-subset0|have_lib libharfbuzz-subset.so.0
fontconfig|have_program fc-list
fonts-dejavu-core|fc-list 2>/dev/null | grep -q DejaVuSans
fonts-noto-cjk|have_cjk_fonts"
# The checkers: qpdf, poppler (pdftotext, pdfinfo, pdffonts, pdfdetach, pdftoppm), MuPDF (mutool),
# Chromium (the --html page in a real browser) and Apache PDFBox preflight (PDF/A-1b), which needs
# Java and, on the classpath, javax.activation and JAXB. Playwright's own Node.js driver, which the
# browser tests start, needs libatomic. tests/helpers/tools.py names the same.
test_needs="poppler-utils|have_programs pdftotext pdftoppm pdfinfo pdffonts pdfdetach
qpdf|have_program qpdf
mupdf-tools|have_program mutool
default-jre-headless|have_program java
libpdfbox2-java|have_jars preflight.jar pdfbox2.jar fontbox2.jar xmpbox.jar commons-logging.jar
libactivation-java|have_jars javax.activation.jar
libjaxb-api-java|have_jars jaxb-api.jar
chromium|have_program chromium chromium-browser
libatomic1|have_lib libatomic.so.1"

needs=$brief_needs
[ "$what" = test ] && needs="$needs
$test_needs"

missing_packages() {
  echo "$needs" | while IFS='|' read -r package check; do
    eval "$check" >/dev/null 2>&1 || printf ' %s' "$package"
  done
}

missing=$(missing_packages)
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "make $what: installing$missing (apt-get)"
  log=$(mktemp)
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    echo "make $what: apt-get could not install$missing" >&2
    exit 1
  fi
  rm -f "$log"
  missing=$(missing_packages)
  [ -z "$missing" ] && exit 0
  echo "make $what: still missing after apt-get:$missing" >&2
  exit 1
fi

echo "make $what needs system packages that are missing:$missing" >&2
echo "  sudo apt-get install$missing" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "  (those are Debian and Ubuntu names; elsewhere install the same libraries and programs)" >&2
fi
exit 1
