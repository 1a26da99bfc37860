#!/bin/sh
# Renders page 1 of the example brief in each built-in theme to docs/images/<theme>-page1.png
# (80 dpi), for the README. Run from the repository root after `make test` has set up .venv.
set -eu
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for theme in $(.venv/bin/briefing themes | cut -d' ' -f1); do
  .venv/bin/briefing build content/korea-japan-2021.yaml --theme "$theme" -o "$out/$theme.pdf" >/dev/null
  pdftoppm -r 80 -png -f 1 -l 1 -singlefile "$out/$theme.pdf" "docs/images/$theme-page1"
  echo "wrote docs/images/$theme-page1.png"
done
