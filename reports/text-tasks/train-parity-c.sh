#!/bin/sh
# Parity, ISRM, significance on every head, window ±2, bidirectional prompt; resumable: runs/bin-c/isrm train --resume --out runs/parity-c --json
exec runs/bin-c/isrm train --task parity --train-sizes 1-8 --out runs/parity-c --steps 6000 --eval-every 250 --save-every 250 \
  --batch 64 --width 128 --layers 2 --heads 4 --kv-heads 4 --ffn-width 256 \
  --positions significance --significance-window 2 --prompt-attention bidirectional --step-embedding none \
  --alpha-schedule constant --alpha-c 1 --state-norm true --input-norm true \
  --k-per-size 1 --k-extra 2 --lr 1e-3 --warmup 200 --seed 1 --threads 1 --json "$@"
