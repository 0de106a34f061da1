#!/usr/bin/env bash
# Parameter counts of the training recipes whose run folders were not kept (reports/scaling.md, reports/rlm.md):
# one optimizer step of each recipe's command; the trainer's metadata.json (parameterCount) is copied to
#   reports/scaling/text-recipe/shapes/NAME.json and reports/rlm/hybrid-text/shapes/NAME.json.
# Usage: bash reports/scaling/shapes.sh BROWN   (BROWN: the folder `isrm data brown` writes; ISRM=path/to/isrm to override)
set -uo pipefail
B=${1:?usage: bash reports/scaling/shapes.sh BROWN}
ISRM=${ISRM:-isrm}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d)
S=$HERE/reports/scaling/text-recipe/shapes; H=$HERE/reports/rlm/hybrid-text/shapes; mkdir -p "$S" "$H"
ONE="--steps 1 --eval-every 1 --save-every 1 --json"
# The screens' shared recipe R; the variables stand for the flags that a row replaces.
R() { echo "--corpus $B --width ${WIDTH:-144} --injection concat-project --init-state ${INIT:-random} --state-norm true --step-embedding none --k-dist lognormal --k-mean ${KMEAN:-8} --k-min 1 --k-max ${KMAX:-32} --backprop-steps ${BP:-4} --eval-k 8 --alpha-schedule constant --alpha-c 1 --threads 1"; }
TF="--corpus $B --family transformer --width 144 --threads 1"
BB="--input-norm true --ffn-width 480"
one() { local dest=$1 name=$2; shift 2
  if "$ISRM" train "$@" $ONE --out "$W/$name" > "$W/$name.log" 2>&1; then cp "$W/$name/metadata.json" "$dest/$name.json"; echo "$name: $(grep -o '"parameterCount": [0-9]*' "$dest/$name.json")"
  else echo "$name failed:"; tail -3 "$W/$name.log"; fi; }
one "$S" tf-600 $TF
one "$S" tf-lr2e3 $TF --lr 2e-3
one "$S" default-600 $(R)
one "$S" innorm $(R) --input-norm true
one "$S" base480 $(R) $BB
one "$S" lr2e3 $(R) $BB --lr 2e-3
one "$S" learned $(INIT=learned R) $BB
one "$S" deep16 $(KMEAN=16 KMAX=64 BP=8 R) $BB
one "$S" ponder $(R) $BB --ponder-weight 0.01
one "$S" ds $(R) $BB --deep-supervision 3
one "$S" ema $(R) $BB --ema 0.99
one "$S" sandwich $(R) $BB --sandwich-norm true
one "$S" pre1 $(R) $BB --layers 1 --prelude 1
one "$S" pre1coda1 $(R) --input-norm true --ffn-width 320 --layers 1 --prelude 1 --coda 1
one "$S" wide1 $(WIDTH=192 R) --input-norm true --layers 1 --ffn-width 640
one "$S" whitepaper --corpus "$B" --width 144 --alpha-schedule whitepaper --injection add --init-state learned --step-embedding sinusoidal --k-dist uniform --k-min 1 --k-max 16 --backprop-steps 0 --monotonic-weight 0.1 --convergence-weight 0.01 --ponder-weight 0.01 --threads 1
one "$S" naive-full-step --corpus "$B" --width 144 --alpha-schedule constant --alpha-c 1 --injection add --init-state learned --step-embedding none --state-norm true --k-dist uniform --k-min 1 --k-max 8 --backprop-steps 0 --threads 1
C="--family rlm --corpus $B --width 64 --heads 4 --kv-heads 2 --layers 1 --neurons 64 --sync-pairs 256 --batch 16 --context 64 --lr 2e-3 --warmup 25 --threads 1"
one "$H" rlm-ticks1 $C --eval-k 1
one "$H" rlm-w32 $C --window 32 --eval-k 1
rm -rf "$W"
