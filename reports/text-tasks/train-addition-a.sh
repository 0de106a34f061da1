#!/bin/sh
# Addition, ISRM, significance RoPE + bidirectional prompt; resumable: rerun with --resume --out runs/add-a
exec runs/bin-a/isrm train --task addition --train-sizes 1-10 --out runs/add-a --steps 7000 --eval-every 250 --save-every 250 \
  --batch 64 --width 128 --layers 2 --heads 4 --kv-heads 4 --ffn-width 256 \
  --positions rope-significance --prompt-attention bidirectional --step-embedding none \
  --alpha-schedule constant --alpha-c 1 --state-norm true --input-norm true \
  --k-per-size 1 --k-extra 2 --lr 1.5e-3 --warmup 200 --seed 1 --threads 1 --json "$@"
