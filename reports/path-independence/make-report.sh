#!/usr/bin/env bash
# Writes reports/path-independence.md: the prose of report-head.md and report-tail.md around the table that
# `isrm-research path-independence table` writes from the committed results (run from the repository root after a build).
set -euo pipefail
R="dotnet Isrm.Research/bin/Debug/net10.0/linux-x64/isrm-research.dll"
D=reports/path-independence
{
  cat $D/report-head.md
  $R path-independence table --results $D/mazes-13.json $D/mazes-13-noise0.1.json $D/mazes-21.json $D/prefix-sums.json \
    $D/addition.json $D/parity.json $D/language-models.json
  echo
  cat $D/report-tail.md
} > reports/path-independence.md
