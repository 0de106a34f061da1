#!/usr/bin/env bash
# Measures path independence on every shipped checkpoint into path-independence.json (isrm-research path-independence).
# Run from the repository root after `dotnet build Isrm.sln`; about 15 minutes on one core of the 2-core CI machine.
set -euo pipefail
R=Isrm.Research/bin/Debug/net10.0/linux-x64/isrm-research
OUT=reports/path-independence
$R path-independence --checkpoint checkpoints/mazes-dt-recall --sizes 13 --count 50 --k 256 --starts 8 --json $OUT/mazes-13.json --force
$R path-independence --checkpoint checkpoints/mazes-dt-recall --sizes 13 --count 50 --k 256 --starts 8 --noise 0.1 --json $OUT/mazes-13-noise0.1.json --force
$R path-independence --checkpoint checkpoints/mazes-dt-recall --sizes 21 --count 25 --k 256 --starts 8 --json $OUT/mazes-21.json --force
$R path-independence --checkpoint checkpoints/prefix-sums-carry --sizes 32,64,128 --count 50 --k 256 --starts 8 --json $OUT/prefix-sums.json --force
$R path-independence --checkpoint checkpoints/addition-isrm --sizes 10,20 --count 50 --k 64 --starts 8 --json $OUT/addition.json --force
$R path-independence --checkpoint checkpoints/parity-isrm --sizes 16,32 --count 50 --k 64 --starts 8 --json $OUT/parity.json --force
$R path-independence --checkpoint checkpoints/isrm-default checkpoints/rlm-small checkpoints/transformer-equal-steps checkpoints/transformer-equal-flops \
  --text reports/path-independence/prose.txt --count 16 --length 32 --k 64 --starts 8 --json $OUT/language-models.json --force
