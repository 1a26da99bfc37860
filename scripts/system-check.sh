#!/bin/sh
# Says which system libraries and fonts briefing would like and how to get them.
# With --install (as root on Debian or Ubuntu) it installs what is missing.
# Fonts: Arabic and Hebrew faces ship with the default theme; Chinese, Japanese and
# Korean need the system's Noto CJK (fonts-noto-cjk, about 90 MB), too large to ship.
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk"
# The independent checkers the tests run: qpdf, poppler (pdfinfo, pdffonts, pdfdetach), MuPDF (mutool),
# Chromium (the --html page in a real browser), and Apache PDFBox preflight (PDF/A-1b), which needs Java and, on the classpath, javax.activation and JAXB.
test_packages="poppler-utils qpdf mupdf-tools default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java chromium"

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

missing=""
have_lib libpango-1.0.so.0 || missing="$missing libpango-1.0-0"
have_lib libpangoft2-1.0.so.0 || missing="$missing libpangoft2-1.0-0"
have_lib libharfbuzz-subset.so.0 || missing="$missing libharfbuzz-subset0"

if [ "$1" = "--install" ]; then
  need=""
  for package in $packages $test_packages; do
    dpkg -s "$package" >/dev/null 2>&1 || need="$need $package"
  done
  if [ -n "$need" ]; then
    echo "installing:$need"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  fi
  exit 0
fi

# A font for each script the default theme does not ship (fc-list lists the fonts that cover a language).
have_font_for() { command -v fc-list >/dev/null && [ -n "$(fc-list ":lang=$1" family 2>/dev/null | head -n 1)" ]; }
fonts_missing=""
for lang in ko ja zh-cn; do
  have_font_for "$lang" || fonts_missing="fonts-noto-cjk"
done

case "$missing" in
  *libpango*)
    echo "briefing: Pango is missing; WeasyPrint cannot run without it." >&2
    echo "  on Debian or Ubuntu: sudo apt-get install$missing" >&2
    exit 1 ;;
  *libharfbuzz-subset0*)
    echo "briefing: libharfbuzz-subset0 is missing; PDFs will be written about 2.5x slower." >&2
    echo "  on Debian or Ubuntu: sudo apt-get install libharfbuzz-subset0" >&2 ;;
esac
if [ -n "$fonts_missing" ]; then
  echo "briefing: no font for Korean, Japanese or Chinese; such text would print as empty boxes." >&2
  echo "  on Debian or Ubuntu: sudo apt-get install $fonts_missing  (or: sh scripts/system-check.sh --install)" >&2
fi
exit 0
