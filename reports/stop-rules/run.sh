#!/usr/bin/env bash
# Measures candidate K = inf stop rules of the shipped puzzle checkpoints (isrm-research stop-rules) into the JSON files
# beside this script. Run from the repository root after `dotnet build Isrm.sln`; the mazes are made from fixed seeds,
# so every run measures the same instances. About an hour on one core of the 2-core CI machine (33x33 is most of it).
# ISRM and RESEARCH may point at copies of the binaries (as when a build runs beside the measurement).
set -euo pipefail
ISRM=${ISRM:-Isrm.Cli/bin/Debug/net10.0/linux-x64/isrm}
R=${RESEARCH:-Isrm.Research/bin/Debug/net10.0/linux-x64/isrm-research}
OUT=reports/stop-rules
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
TRAINING=dfs,kruskal,prim,wilson
HELD=division,hunt-and-kill,sidewinder,binary-tree,growing-tree
$ISRM data task prefix-sums --sizes 32,128,512 --count 50 --seed 5101 --out $DATA/bits.txt
$R stop-rules --checkpoint checkpoints/prefix-sums-carry --input $DATA/bits.txt --cap 2048 --json $OUT/prefix-sums.json --force
for size in 13 21 33; do
  cap=$(( size == 13 ? 256 : size == 21 ? 512 : 1024 ))
  $ISRM data task mazes --sizes $size --count 50 --generator $TRAINING --seed 60$size --out $DATA/training$size.txt
  $ISRM data task mazes --sizes $size --count 50 --generator $HELD --seed 70$size --out $DATA/held-out$size.txt
  $R stop-rules --checkpoint checkpoints/mazes-dt-recall --input $DATA/training$size.txt $DATA/held-out$size.txt --cap $cap \
    --json $OUT/mazes-$size.json --force
done
