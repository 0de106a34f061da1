#!/usr/bin/env bash
# Writes reports/text-tasks.md: the prose of reports/text-tasks/report-*.md around the tables `isrm solve table`
# writes from the committed solve results (run from the repository root after a build).
set -euo pipefail
isrm() { dotnet Isrm.Cli/bin/Debug/net10.0/linux-x64/isrm.dll "$@" 2> /dev/null; }
table() { isrm solve table --results "reports/text-tasks/$1.json"; echo; }
{
  cat reports/text-tasks/report-head.md
  table addition-c-random
  echo "Longer numbers (200 fresh 100-digit sums, \`isrm data task addition --sizes 100 --count 200 --seed 107\`; and 50 each at 60 and 100 digits, seed 103):"
  echo
  table addition-100-200
  table addition-c-long
  cat reports/text-tasks/report-mid.md
  if [ -f reports/text-tasks/addition-carry-200.json ]; then table addition-carry-200; fi
  echo "The first 50 per size of an earlier carry file (\`addition-carry.txt\`), with a finer K ladder:"
  echo
  table addition-c-carry
  cat reports/text-tasks/report-tail.md
  echo "The transformer on the random sums, and where the carry crosses every digit (the first 50 per size of \`addition-carry.txt\`):"
  echo
  table add-tf-addition
  table add-tf-carry
  sed -e '/PARITY_TABLE/{r /dev/stdin' -e 'd}' reports/text-tasks/report-end.md < <(table parity-c-step3584)
} > reports/text-tasks.md
