#!/usr/bin/env bash
# Writes reports/stop-rules.md: the prose of report-head.md and report-tail.md around the table that
# `isrm-research stop-rules table` writes from the committed results (run from the repository root after a build).
set -euo pipefail
R="dotnet Isrm.Research/bin/Debug/net10.0/linux-x64/isrm-research.dll"
D=reports/stop-rules
{
  cat $D/report-head.md
  $R stop-rules table --results $D/mazes-13.json $D/mazes-21.json $D/mazes-33.json $D/prefix-sums.json
  echo
  cat $D/report-tail.md
} > reports/stop-rules.md
