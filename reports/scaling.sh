#!/usr/bin/env bash
# Regenerates every table and plot of reports/scaling.md from the shipped checkpoints (and, for the variants,
# the runs named in the report, which are retrained with the commands listed there).
#   bash reports/scaling.sh [corpus-dir] [variants-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-data-cache/brown}
variants=${2:-runs}
isrm() { dotnet run --project Isrm.Cli -c Release -- "$@"; }
[ -f "$corpus/corpus.json" ] || isrm data brown --out "$corpus"
ks=1,2,4,8,16,32,64,128,256,inf
isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint checkpoints/isrm-default \
  --checkpoint checkpoints/transformer-equal-steps --checkpoint checkpoints/transformer-equal-flops --json reports/scaling/main/scaling.json
isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint checkpoints/isrm-default --solver anderson --json reports/scaling/anderson/scaling.json
if [ -d "$variants/whitepaper" ] && [ -d "$variants/naive-full-step" ]; then
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/whitepaper" --checkpoint "$variants/naive-full-step" \
    --json reports/scaling/variants/scaling.json
fi
if [ -d "$variants/default-600" ] && [ -d "$variants/deep-supervision" ] && [ -d "$variants/harmonic" ] && [ -d "$variants/k-curriculum" ]; then
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/default-600" --checkpoint "$variants/deep-supervision" \
    --checkpoint "$variants/harmonic" --checkpoint "$variants/k-curriculum" --json reports/scaling/recipe-variants/scaling.json
fi
if [ -d "$variants/paper-losses" ]; then
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/paper-losses" --json reports/scaling/paper-losses/scaling.json
fi
if [ -d "$variants/ponder-only" ] && [ -d "$variants/convergence-monotonic" ]; then
  isrm eval --corpus "$corpus" --k $ks --windows 48 --checkpoint "$variants/ponder-only" --checkpoint "$variants/convergence-monotonic" \
    --json reports/scaling/extra-losses/scaling.json
fi
