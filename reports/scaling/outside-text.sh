#!/bin/bash
# Assembles the "outside text" of reports/scaling.md §5: public-domain English that is not the Brown corpus, from
# Debian's packages (the only text source reachable here): Ambrose Bierce's "The Devil's Dictionary" (1911, package
# dict-devil) and five books of the King James Bible (package bible-kjv, printed by its own `bible` program).
# Usage: bash reports/scaling/outside-text.sh OUT_DIR      (needs apt-get and dpkg-deb; no root)
set -euo pipefail
out=${1:?usage: outside-text.sh OUT_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
(cd "$work" && apt-get download dict-devil bible-kjv bible-kjv-text >/dev/null 2>&1)
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done

# The Devil's Dictionary: drop the dictd header entries (00-database-…), keep the text from the preface on, in 4 parts.
zcat "$work/x/usr/share/dictd/devil.dict.dz" | sed -n '/PREFACE/,$p' > "$work/devil.txt"
split -n l/4 -d --additional-suffix=.txt "$work/devil.txt" "$out/devil-"

# Five books of the King James Bible, verse labels removed, one paragraph per chapter.
for book in Ruth:1:1-4:22 Ecclesiastes:1:1-12:14 Jonah:1:1-4:11 Proverbs:1:1-31:31 Acts:1:1-28:31; do
  name=${book%%:*}; range=${book#*:}
  "$work/x/usr/bin/bible" -f -p "$work/x/usr/lib" "$name${range%%-*}-${range#*-}" \
    | sed -E "s/^[0-9A-Za-z]+:[0-9]+ //" | tr '\n' ' ' | fold -s -w 100 > "$out/kjv-${name,,}.txt"
  echo >> "$out/kjv-${name,,}.txt"
done
ls -l "$out"
