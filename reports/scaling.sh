#!/usr/bin/env bash
# Re-measures the results behind reports/scaling.md: the shipped checkpoints into current/, and the earlier default
# (§1, §3: main/ and anderson/) and the variants from the runs named in the report, retrained with the commands
# listed there, when they are in the variants folder. Then `isrm-research report` rewrites the tables.
#   bash reports/scaling.sh [corpus-dir] [variants-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-data-cache/brown}
variants=${2:-runs}
isrm() { dotnet run --project Isrm.Cli -c Release -- "$@"; }
[ -f "$corpus/corpus.json" ] || isrm data brown --out "$corpus"
ks=1,2,4,8,16,32,64,128,256,inf
isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint checkpoints/isrm-default \
  --checkpoint checkpoints/transformer-equal-steps --checkpoint checkpoints/transformer-equal-flops --json reports/scaling/current/scaling.json --force
# main/ and anderson/ hold the default before issue 13 (632,593 parameters), retrained by §1's command into $variants/previous-default
if [ -d "$variants/previous-default" ]; then
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/previous-default" \
    --checkpoint checkpoints/transformer-equal-steps --checkpoint checkpoints/transformer-equal-flops --json reports/scaling/main/scaling.json --force
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/previous-default" --solver anderson --json reports/scaling/anderson/scaling.json --force
fi
if [ -d "$variants/whitepaper" ] && [ -d "$variants/naive-full-step" ]; then
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/whitepaper" --checkpoint "$variants/naive-full-step" \
    --json reports/scaling/variants/scaling.json --force
fi
if [ -d "$variants/default-600" ] && [ -d "$variants/deep-supervision" ] && [ -d "$variants/harmonic" ] && [ -d "$variants/k-curriculum" ]; then
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/default-600" --checkpoint "$variants/deep-supervision" \
    --checkpoint "$variants/harmonic" --checkpoint "$variants/k-curriculum" --json reports/scaling/recipe-variants/scaling.json --force
fi
if [ -d "$variants/paper-losses" ]; then
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/paper-losses" --json reports/scaling/paper-losses/scaling.json --force
fi
if [ -d "$variants/ponder-only" ] && [ -d "$variants/convergence-monotonic" ]; then
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/ponder-only" --checkpoint "$variants/convergence-monotonic" \
    --json reports/scaling/extra-losses/scaling.json --force
fi
