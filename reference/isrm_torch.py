"""
ISRM in plain PyTorch: a second, independent implementation of the model in Isrm.Model (C#, TorchSharp).

It reads a checkpoint exported with `isrm export --checkpoint DIR --format safetensors` (model.safetensors +
config.json), reproduces the C# log-probabilities (the suite checks K = 1, 8, 32 within 1e-4), and can continue
training the weights here (a GPU, torch.distributed, ...) and write them back for `isrm import`.

Families covered: isrm and transformer. The recurrent families (rlm, rlt, gated-rlt) are not implemented here.
Needs only torch (1.13 or newer); the safetensors format is read and written with json + struct, no extra package.

    python3 reference/isrm_torch.py generate --checkpoint DIR --prompt "The jury" --k 8
    python3 reference/isrm_torch.py check --checkpoint DIR --expected expected.safetensors
    python3 reference/isrm_torch.py train --checkpoint DIR --text corpus.txt --steps 100 --out DIR2
    torchrun --nproc_per_node 2 reference/isrm_torch.py train --checkpoint DIR --text corpus.txt --batch 8 --out DIR2
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys
import time
from dataclasses import dataclass, fields, replace

import torch
import torch.nn as nn
import torch.nn.functional as F

# -----------------------------------------------------------------------------
# safetensors: 8-byte little-endian header length, JSON header, raw little-endian data


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in header.items():
        assert entry["dtype"] == "F32", f"{name}: only F32 is read, got {entry['dtype']}"
        begin, end = entry["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])  # a writable copy for frombuffer
        flat = torch.frombuffer(raw, dtype=torch.float32) if end > begin else torch.zeros(0)
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors


def save_safetensors(tensors, path, metadata=None):
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).cpu().contiguous()
        blob = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)

# -----------------------------------------------------------------------------
# config: the fields of config.json that shape the network (the others are read and ignored)


@dataclass
class Config:
    family: str = "isrm"
    vocabSize: int = 256
    maxContext: int = 256
    tiedEmbeddings: bool = True
    width: int = 192
    layers: int = 2
    queryHeads: int = 6
    kvHeads: int = 2
    ffnWidth: int = 512
    ropeTheta: float = 10000.0
    normEpsilon: float = 1e-5
    latentIterations: int = 0
    initialState: str = "learned"
    initStateStd: float = 1.0
    stepEmbedding: str = "sinusoidal"
    stepScaleAttn: bool = True
    stepScaleFfn: bool = True
    alphaSchedule: str = "whitepaper"
    alphaC: float = 1.0
    inputInjection: str = "add"
    stateNorm: bool = False
    inputNorm: bool = False
    prelude: int = 0
    coda: int = 0
    sandwichNorm: bool = False
    haltingHead: bool = True

    @property
    def single_pass(self):  # the transformer applies its blocks once (K = 1, alpha = 1)
        return self.family != "isrm"

    @staticmethod
    def load(path):
        with open(path) as f:
            raw = json.load(f)
        known = {f.name for f in fields(Config)}
        config = Config(**{k: v for k, v in raw.items() if k in known})
        if config.family not in ("isrm", "transformer"):
            sys.exit(f"This reference implements the isrm and transformer families, not {config.family}.")
        return config


def f32(x):
    """Rounds a Python float to float32, as the C# code holds alpha."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def alpha(config, k):
    if config.single_pass:
        return 1.0
    if config.alphaSchedule == "whitepaper":
        return f32(0.15 / (1 + 0.15 * k) * 0.97 ** k)
    if config.alphaSchedule == "constant":
        return f32(config.alphaC)
    return f32(f32(config.alphaC) / f32(k + 1.0))  # harmonic

# -----------------------------------------------------------------------------
# modules (attribute names = tensor names in model.safetensors)


class RMSNorm(nn.Module):
    def __init__(self, width, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x):
        return x * (x.pow(2).mean(-1, keepdim=True) + self.eps).rsqrt() * self.weight


class Rotary(nn.Module):
    def __init__(self, head_dim, max_context, theta):
        super().__init__()
        half = head_dim // 2
        freqs = torch.pow(torch.tensor(theta, dtype=torch.float32), -torch.arange(0, half, dtype=torch.float32) / half)
        angles = torch.outer(torch.arange(0, max_context, dtype=torch.float32), freqs)  # (T, half)
        self.register_buffer("cos", angles.cos(), persistent=False)
        self.register_buffer("sin", angles.sin(), persistent=False)

    def forward(self, x):  # (B, H, T, hd): rotate channel i with channel i + hd/2
        t, half = x.shape[2], x.shape[3] // 2
        c, s = self.cos[:t], self.sin[:t]
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat([x1 * c - x2 * s, x1 * s + x2 * c], -1)


class Attention(nn.Module):
    """Causal grouped-query attention: queryHeads heads share kvHeads key/value heads."""

    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = c.queryHeads, c.kvHeads, c.width // c.queryHeads
        self.wq = nn.Linear(c.width, self.heads * self.head_dim, bias=False)
        self.wk = nn.Linear(c.width, self.kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(c.width, self.kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(self.heads * self.head_dim, c.width, bias=False)

    def forward(self, h, rope):
        b, t, _ = h.shape
        q = rope(self.wq(h).view(b, t, self.heads, self.head_dim).transpose(1, 2))     # (B, H, T, hd)
        k = rope(self.wk(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2))  # (B, Hkv, T, hd)
        v = self.wv(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        group = self.heads // self.kv_heads
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)   # (B, H, T, hd)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)                   # (B, H, T, T)
        causal = torch.ones(t, t, dtype=torch.bool, device=h.device).tril()
        scores = scores.masked_fill(~causal, float("-inf"))
        out = F.softmax(scores, dim=-1) @ v                                           # (B, H, T, hd)
        return self.wo(out.transpose(1, 2).reshape(b, t, self.heads * self.head_dim))


class SwiGLU(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.gate = nn.Linear(width, hidden, bias=False)
        self.up = nn.Linear(width, hidden, bias=False)
        self.down = nn.Linear(hidden, width, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))


class Block(nn.Module):
    """Pre-norm attention + SwiGLU; each sub-layer's output is scaled by (1 + step_scale(step embedding)); with
    sandwichNorm each residual sum is normalised too."""

    def __init__(self, c):
        super().__init__()
        self.attention_norm = RMSNorm(c.width, c.normEpsilon)
        self.ffn_norm = RMSNorm(c.width, c.normEpsilon)
        self.attention = Attention(c)
        self.feed_forward = SwiGLU(c.width, c.ffnWidth)
        step_aware = c.stepEmbedding != "none" and not c.single_pass
        self.step_scale_attn = nn.Linear(c.width, c.width) if step_aware and c.stepScaleAttn else None
        self.step_scale_ffn = nn.Linear(c.width, c.width) if step_aware and c.stepScaleFfn else None
        self.attention_out_norm = RMSNorm(c.width, c.normEpsilon) if c.sandwichNorm else None
        self.ffn_out_norm = RMSNorm(c.width, c.normEpsilon) if c.sandwichNorm else None

    def forward(self, h, step, rope):
        attended = self.attention(self.attention_norm(h), rope)
        if step is not None and self.step_scale_attn is not None:
            attended = attended * (1 + self.step_scale_attn(step))
        h = h + attended
        if self.attention_out_norm is not None:
            h = self.attention_out_norm(h)
        fed = self.feed_forward(self.ffn_norm(h))
        if step is not None and self.step_scale_ffn is not None:
            fed = fed * (1 + self.step_scale_ffn(step))
        h = h + fed
        return h if self.ffn_out_norm is None else self.ffn_out_norm(h)


class CodaBlock(nn.Module):
    """h + SwiGLU(norm(h)), position by position (no attention)."""

    def __init__(self, c):
        super().__init__()
        self.norm = RMSNorm(c.width, c.normEpsilon)
        self.feed_forward = SwiGLU(c.width, c.ffnWidth)

    def forward(self, h):
        return h + self.feed_forward(self.norm(h))


class Network(nn.Module):
    """f of the refinement: the blocks every step shares."""

    def __init__(self, c):
        super().__init__()
        self.blocks = nn.ModuleList([Block(c) for _ in range(c.layers)])
        self.rope = Rotary(c.width // c.queryHeads, c.maxContext, c.ropeTheta)

    def forward(self, h, step):
        for block in self.blocks:
            h = block(h, step, self.rope)
        return h


class StepEmbedding(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.mode = "none" if c.single_pass else c.stepEmbedding
        self.width = c.width
        if self.mode == "stateless":
            self.stateless = nn.Parameter(torch.zeros(c.width))

    def forward(self, k, device):
        if self.mode == "none":
            return None
        if self.mode == "stateless":
            return self.stateless
        half = self.width // 2
        freqs = torch.pow(torch.tensor(10000.0), -torch.arange(0, half, dtype=torch.float32, device=device) / half)
        angle = freqs * k
        return torch.cat([angle.sin(), angle.cos()])


class Injection(nn.Module):
    """Network input from the parts (each (B, T, D)): their sum, or a linear map of their concatenation."""

    def __init__(self, width, inputs, concat):
        super().__init__()
        self.project = nn.Linear(inputs * width, width, bias=False) if concat else None

    def forward(self, *parts):
        if self.project is not None:
            return self.project(torch.cat(parts, -1))
        total = parts[0]
        for p in parts[1:]:
            total = total + p
        return total


class ISRM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        d = c.width
        self.embedding = nn.Embedding(c.vocabSize, d)
        self.step_embedding = StepEmbedding(c)
        self.y0 = nn.Parameter(torch.zeros(d))
        self.z0 = nn.Parameter(torch.zeros(d))
        self.network = Network(c)
        concat = c.inputInjection == "concat-project"
        self.answer_injection = Injection(d, 2, concat)
        self.latent_injection = Injection(d, 3, concat) if c.latentIterations > 0 else None
        self.final_norm = RMSNorm(d, c.normEpsilon)
        self.state_norm = RMSNorm(d, c.normEpsilon) if c.stateNorm else None
        self.input_norm = RMSNorm(d, c.normEpsilon) if c.inputNorm and not c.single_pass else None
        # Huginn's layout: blocks of their own once before the loop (their output is re-injected every step), and
        # position-wise blocks between the state and the head.
        self.prelude = Network(replace(c, layers=c.prelude, stepEmbedding="none")) if c.prelude > 0 else None
        self.coda = nn.ModuleList([CodaBlock(c) for _ in range(c.coda)]) if c.coda > 0 else None
        self.lm_head = None if c.tiedEmbeddings else nn.Linear(d, c.vocabSize, bias=False)
        self.halt_head = nn.Linear(d, 1) if c.haltingHead and not c.single_pass else None

    def initial_state(self, b, t, generator=None):
        """y and z before step 1: learned vectors, or N(0, initStateStd) noise (a fresh draw every forward)."""
        c, d = self.config, self.config.width
        if c.initialState == "random" and not c.single_pass:
            dev = self.y0.device
            noise = lambda: torch.randn(b, t, d, generator=generator, device=dev) * c.initStateStd
            return noise(), noise()
        return self.y0.expand(b, t, d), self.z0.expand(b, t, d)

    def norm(self, s):
        return s if self.state_norm is None else self.state_norm(s)

    def step(self, x, y, z, k):
        """One refinement step k >= 1: latent updates of z, then y <- y + alpha (f(.) - y)."""
        c, a = self.config, alpha(self.config, k)
        step = self.step_embedding(k, x.device)
        if self.input_norm is not None:
            x = self.input_norm(x)
        for _ in range(c.latentIterations):
            target = self.network(self.latent_injection(x, self.norm(y), self.norm(z)), step)
            z = z + a * (target - z)
        h = self.answer_injection(self.norm(y), self.norm(z)) if c.latentIterations > 0 else self.answer_injection(x, self.norm(y))
        y = y + a * (self.network(h, step) - y)
        return y, z

    def logits(self, y):
        for block in self.coda or []:
            y = block(y)
        h = self.final_norm(y)
        return h @ self.embedding.weight.t() if self.lm_head is None else self.lm_head(h)

    def forward(self, tokens, k, state=None, grad_steps=None):
        """tokens (B, T) -> log-probabilities (B, T, V) after every step 1..k (a list). grad_steps: backprop
        through only the last this-many steps (the earlier ones run without gradients)."""
        x = self.embedding(tokens)                                   # (B, T, D)
        if self.prelude is not None:
            x = self.prelude(x, None)                                # once, before the loop
        y, z = state if state is not None else self.initial_state(*tokens.shape)
        k = 1 if self.config.single_pass else k
        out = []
        for i in range(1, k + 1):
            with torch.set_grad_enabled(torch.is_grad_enabled() and (grad_steps is None or k - i < grad_steps)):
                y, z = self.step(x, y, z, i)
            out.append(F.log_softmax(self.logits(y), -1))
        return out

    @staticmethod
    def load(directory, device="cpu"):
        model = ISRM(Config.load(os.path.join(directory, "config.json")))
        model.load_state_dict(load_safetensors(os.path.join(directory, "model.safetensors")), strict=True)
        return model.to(device)

    def save(self, directory, source):
        """Writes model.safetensors and copies config.json and tokenizer.json from the source checkpoint."""
        os.makedirs(directory, exist_ok=True)
        save_safetensors(self.state_dict(), os.path.join(directory, "model.safetensors"), {"format": "pt"})
        for name in ("config.json", "tokenizer.json"):
            if os.path.exists(os.path.join(source, name)):
                shutil.copy(os.path.join(source, name), os.path.join(directory, name))

# -----------------------------------------------------------------------------
# commands


def check(args):
    """Compares with log-probabilities the C# code wrote (tokens, y_init, z_init, logprobs.kN) for the same state."""
    model = ISRM.load(args.checkpoint).eval()
    expected = load_safetensors(args.expected)
    tokens = expected["tokens"].long()
    state = (expected["y_init"], expected["z_init"])
    ks = sorted(int(name.split(".k")[1]) for name in expected if name.startswith("logprobs.k"))
    with torch.no_grad():
        got = model(tokens, max(ks), state)
    worst = 0.0
    for k in ks:
        diff = (got[min(k, len(got)) - 1] - expected[f"logprobs.k{k}"]).abs().max().item()
        worst = max(worst, diff)
        print(f"K = {k}: max |log p (PyTorch) - log p (C#)| = {diff:.3e}")
    ok = worst <= args.tolerance
    print(f"{'match' if ok else 'MISMATCH'}: worst {worst:.3e}, tolerance {args.tolerance:.0e}")
    return 0 if ok else 1


def generate(args):
    model = ISRM.load(args.checkpoint).eval()
    ids = list(args.prompt.encode("utf-8"))
    with torch.no_grad():
        for _ in range(args.tokens):
            logp = model(torch.tensor([ids[-(model.config.maxContext - 1):]]), args.k)[-1]
            ids.append(int(logp[0, -1].argmax()))
    print(bytes(ids).decode("utf-8", errors="replace"))
    return 0


def train(args):
    """Continues training on a UTF-8 text file (byte tokens): AdamW, K drawn uniformly from k-min..k-max per batch,
    backprop through the last --backprop steps, loss = cross-entropy after the last step.

    Under torchrun (WORLD_SIZE > 1) it trains with DistributedDataParallel: gloo on CPU, nccl on CUDA. --batch is the
    batch of one process, so the global batch is WORLD_SIZE x --batch. Every process draws the same global batch, K and
    random initial state from a generator seeded by (seed, step) and keeps its own shard of it, so N processes follow
    the same weights as one process given --batch N x B (up to float summation order); rank 0 writes the result."""
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    rank, world = 0, 1
    if distributed:
        import torch.distributed as dist
        from torch.nn.parallel import DistributedDataParallel
        backend = "nccl" if args.device.startswith("cuda") else "gloo"
        dist.init_process_group(backend)
        rank, world = dist.get_rank(), dist.get_world_size()
        if args.device.startswith("cuda"):
            args.device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
    torch.manual_seed(args.seed)
    model = ISRM.load(args.checkpoint, args.device).train()
    assert model.config.vocabSize == 256, "train reads bytes: a BPE checkpoint needs its tokenizer, not implemented here"
    with open(args.text, "rb") as f:
        data = torch.tensor(list(f.read()), dtype=torch.long)
    T = min(args.context, model.config.maxContext)
    assert len(data) > T + 1, "the text must be longer than one window"
    # find_unused_parameters: with a random initial state the learned y0 and z0 take no part in a step.
    trained = DistributedDataParallel(model, find_unused_parameters=True) if distributed else model
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.1)
    total = args.batch * world                                        # the global batch
    shard = slice(rank * args.batch, (rank + 1) * args.batch)
    clock = None                                                      # started after step 1, which warms up
    for step in range(1, args.steps + 1):
        if step == 2:
            clock = time.perf_counter()
        # The global batch, K and initial state of this step depend on (seed, step) only: the same on every rank.
        g = torch.Generator().manual_seed(args.seed * 1_000_003 + step)
        starts = torch.randint(0, len(data) - T - 1, (total,), generator=g)
        k = int(torch.randint(args.k_min, args.k_max + 1, (), generator=g).item())
        y0, z0 = model.initial_state(total, T, generator=g) if model.y0.device.type == "cpu" else model.initial_state(total, T)
        batch = torch.stack([data[s:s + T + 1] for s in starts.tolist()])[shard].to(args.device)
        state = (y0[shard].to(args.device), z0[shard].to(args.device))
        logp = trained(batch[:, :-1], k, state=state, grad_steps=args.backprop)[-1]
        loss = F.nll_loss(logp.reshape(-1, logp.shape[-1]), batch[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()                                               # DDP averages the gradients over the ranks
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if rank == 0:
            print(f"step {step}: K = {k}, loss {loss.item():.4f} nats/byte (rank 0's shard of {total})", flush=True)
    if rank == 0 and clock is not None:
        seconds = time.perf_counter() - clock
        print(f"timed: {args.steps - 1} steps of {total} x {T} tokens in {seconds:.3f} s "
              f"({(args.steps - 1) * total * T / seconds:.1f} tokens/s, {torch.get_num_threads()} threads)", flush=True)
    if rank == 0:
        model.save(args.out, args.checkpoint)
        print(f"wrote {args.out}/model.safetensors; bring it back with: isrm import --checkpoint {args.out} --out DIR")
    if distributed:
        dist.barrier()
        dist.destroy_process_group()
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check")
    c.add_argument("--checkpoint", required=True)
    c.add_argument("--expected", required=True)
    c.add_argument("--tolerance", type=float, default=1e-4)
    g = sub.add_parser("generate")
    g.add_argument("--checkpoint", required=True)
    g.add_argument("--prompt", required=True)
    g.add_argument("--k", type=int, default=8)
    g.add_argument("--tokens", type=int, default=40)
    t = sub.add_parser("train")
    t.add_argument("--checkpoint", required=True)
    t.add_argument("--text", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--steps", type=int, default=100)
    t.add_argument("--batch", type=int, default=16, help="sequences per process (global batch = processes x this)")
    t.add_argument("--context", type=int, default=128)
    t.add_argument("--k-min", type=int, default=1, help="K is drawn uniformly from k-min..k-max per batch (equal: a fixed K)")
    t.add_argument("--k-max", type=int, default=16)
    t.add_argument("--backprop", type=int, default=4)
    t.add_argument("--lr", type=float, default=3e-4)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args()
    torch.set_num_threads(1)
    return {"check": check, "generate": generate, "train": train}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
