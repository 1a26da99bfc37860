#!/bin/sh
# Says which system libraries briefing would like and how to get them.
# With --install (as root on Debian or Ubuntu) it installs what is missing.
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
test_packages="poppler-utils qpdf chromium"

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

case "$missing" in
  *libpango*)
    echo "briefing: Pango is missing; WeasyPrint cannot run without it." >&2
    echo "  on Debian or Ubuntu: sudo apt-get install$missing" >&2
    exit 1 ;;
  *libharfbuzz-subset0*)
    echo "briefing: libharfbuzz-subset0 is missing; PDFs will be written about 2.5x slower." >&2
    echo "  on Debian or Ubuntu: sudo apt-get install libharfbuzz-subset0" >&2 ;;
esac
exit 0
