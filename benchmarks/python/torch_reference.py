#!/usr/bin/python3
"""Plain PyTorch (eager) reference for the sipf4j decoder LM, the ORPO training step and PRM step scoring.

The architecture, parameter names and ORPO loss match the Java ``DecoderLm`` / ORPO trainer exactly, so this
script serves both as a benchmark baseline and as a numerical parity oracle.  Every mode prints ONE JSON object
on stdout (diagnostics go to stderr).  See README.md next to this file for the CLI and JSON schemas.

Runs on any PyTorch >= 1.13 (Debian's python3-torch), no other dependency than the standard library.
"""
import argparse
import copy
import json
import math
import os
import resource
import statistics
import struct
import sys
import time
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

MASK_VALUE = -1e9
LN_EPS = 1e-5


# ----------------------------------------------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------------------------------------------
class CausalSelfAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.head_dim = d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)


class Mlp(nn.Module):
    def __init__(self, d_model: int, hidden: int):
        super().__init__()
        self.fc = nn.Linear(d_model, hidden)
        self.proj = nn.Linear(hidden, d_model)


class Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int, hidden: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d_model, eps=LN_EPS)
        self.attn = CausalSelfAttention(d_model, n_heads)
        self.ln_2 = nn.LayerNorm(d_model, eps=LN_EPS)
        self.mlp = Mlp(d_model, hidden)


def rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate-half RoPE. x: (B,H,T,hd); cos/sin: (B,1,T,hd/2)."""
    half = x.size(-1) // 2
    x1 = x[..., :half]
    x2 = x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class DecoderLm(nn.Module):
    """GPT-style pre-LN causal decoder, tied output head. Scriptable with torch.jit.script."""

    def __init__(self, vocab: int, d_model: int, n_layers: int, n_heads: int, mlp_hidden: Optional[int] = None,
                 max_len: int = 512, positions: str = "rotary", rope_base: float = 10000.0):
        super().__init__()
        if d_model % n_heads != 0:
            raise ValueError("d_model must be divisible by n_heads")
        if positions not in ("rotary", "learned"):
            raise ValueError("positions must be rotary or learned")
        hidden = mlp_hidden if mlp_hidden else 4 * d_model
        self.vocab = vocab
        self.d_model = d_model
        self.n_layers = n_layers
        self.n_heads = n_heads
        self.head_dim = d_model // n_heads
        self.mlp_hidden = hidden
        self.max_len = max_len
        self.positions = positions
        self.rotary = positions == "rotary"
        self.rope_base = float(rope_base)
        self.wte = nn.Embedding(vocab, d_model)
        if not self.rotary:
            self.wpe = nn.Embedding(max_len, d_model)
        self.h = nn.ModuleList([Block(d_model, n_heads, hidden) for _ in range(n_layers)])
        self.ln_f = nn.LayerNorm(d_model, eps=LN_EPS)
        self.reset_parameters()

    def config(self) -> dict:
        return {"vocab": self.vocab, "d_model": self.d_model, "layers": self.n_layers, "heads": self.n_heads,
                "mlp_hidden": self.mlp_hidden, "max_len": self.max_len, "positions": self.positions,
                "rope_base": self.rope_base}

    @torch.jit.ignore
    def reset_parameters(self):
        for name, p in self.named_parameters():
            if name.endswith(".bias"):
                nn.init.zeros_(p)
            elif ".ln_" in name or name.startswith("ln_f"):
                nn.init.ones_(p)
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def rope(self, pos: torch.Tensor, dtype: torch.dtype) -> Tuple[torch.Tensor, torch.Tensor]:
        """pos (B,T) int64 -> cos, sin of shape (B,1,T,hd/2) in dtype."""
        half = self.head_dim // 2
        j = torch.arange(half, device=pos.device).to(dtype)
        inv_freq = torch.pow(torch.full_like(j, self.rope_base), j * (-2.0 / self.head_dim))
        angle = pos.to(dtype).unsqueeze(-1) * inv_freq  # (B,T,hd/2)
        return torch.cos(angle).unsqueeze(1), torch.sin(angle).unsqueeze(1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.forward_full(input_ids, attention_mask, None)

    def forward_full(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                     position_ids: Optional[torch.Tensor]) -> torch.Tensor:
        return torch.matmul(self.forward_hidden(input_ids, attention_mask, position_ids), self.wte.weight.t())

    def forward_hidden(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                       position_ids: Optional[torch.Tensor]) -> torch.Tensor:
        """Final hidden states (B,T,D): the output of ln_f, before the tied head."""
        b = input_ids.size(0)
        t = input_ids.size(1)
        if position_ids is None:
            pos = torch.arange(t, device=input_ids.device).unsqueeze(0).expand(b, t)
        else:
            pos = position_ids
        x = self.wte(input_ids)
        if hasattr(self, "wpe"):  # static in TorchScript: only learned positions have wpe
            x = x + self.wpe(pos)
        # additive mask (B,1,T,T): 0 allowed, -1e9 if key > query or key is padding
        causal = torch.ones(t, t, device=input_ids.device).tril().to(torch.bool)
        allowed = causal.unsqueeze(0) & (attention_mask != 0).unsqueeze(1)  # (B,T,T)
        zero = torch.zeros(1, dtype=x.dtype, device=x.device)
        neg = torch.full([1], -1e9, dtype=x.dtype, device=x.device)
        mask = torch.where(allowed, zero, neg).unsqueeze(1)
        cos = torch.zeros(1, dtype=x.dtype, device=x.device)
        sin = torch.zeros(1, dtype=x.dtype, device=x.device)
        if self.rotary:
            cos, sin = self.rope(pos, x.dtype)
        hd = self.head_dim
        nh = self.n_heads
        d = self.d_model
        for block in self.h:
            a = block.ln_1(x)
            qkv = block.attn.qkv(a)
            q = qkv[:, :, 0:d].reshape(b, t, nh, hd).transpose(1, 2)
            k = qkv[:, :, d:2 * d].reshape(b, t, nh, hd).transpose(1, 2)
            v = qkv[:, :, 2 * d:3 * d].reshape(b, t, nh, hd).transpose(1, 2)
            if self.rotary:
                q = rotate(q, cos, sin)
                k = rotate(k, cos, sin)
            scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(hd) + mask
            att = torch.softmax(scores, dim=-1)
            y = torch.matmul(att, v).transpose(1, 2).reshape(b, t, d)
            x = x + block.attn.proj(y)
            x = x + block.mlp.proj(F.gelu(block.mlp.fc(block.ln_2(x))))
        return self.ln_f(x)

    @torch.jit.ignore
    def forward_cached(self, input_ids: torch.Tensor, past: Optional[List[Tuple[torch.Tensor, torch.Tensor]]] = None,
                       key_mask: Optional[torch.Tensor] = None):
        """Incremental decoding. input_ids (B,Tn) are the new tokens at positions past_len..past_len+Tn-1.
        past: per layer (k, v) of shape (B,H,Tp,hd), k already rotated. key_mask: optional (B, Tp+Tn) 0/1.
        Returns logits (B,Tn,V) and the new cache."""
        b, tn = input_ids.shape
        tp = 0 if past is None else past[0][0].size(2)
        pos = torch.arange(tp, tp + tn, device=input_ids.device).unsqueeze(0).expand(b, tn)
        x = self.wte(input_ids)
        if not self.rotary:
            x = x + self.wpe(pos)
        tt = tp + tn
        qi = torch.arange(tp, tt, device=input_ids.device).unsqueeze(1)
        kj = torch.arange(tt, device=input_ids.device).unsqueeze(0)
        allowed = (kj <= qi).unsqueeze(0)  # (1,Tn,Tt)
        if key_mask is not None:
            allowed = allowed & (key_mask != 0).unsqueeze(1)
        mask = torch.where(allowed, torch.zeros((), dtype=x.dtype), torch.full((), MASK_VALUE, dtype=x.dtype))
        mask = mask.unsqueeze(1)
        if self.rotary:
            cos, sin = self.rope(pos, x.dtype)
        d, nh, hd = self.d_model, self.n_heads, self.head_dim
        new_past = []
        for i, block in enumerate(self.h):
            a = block.ln_1(x)
            q, k, v = block.attn.qkv(a).split(d, dim=-1)
            q = q.reshape(b, tn, nh, hd).transpose(1, 2)
            k = k.reshape(b, tn, nh, hd).transpose(1, 2)
            v = v.reshape(b, tn, nh, hd).transpose(1, 2)
            if self.rotary:
                q = rotate(q, cos, sin)
                k = rotate(k, cos, sin)
            if past is not None:
                k = torch.cat([past[i][0], k], dim=2)
                v = torch.cat([past[i][1], v], dim=2)
            new_past.append((k, v))
            scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(hd) + mask
            y = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, tn, d)
            x = x + block.attn.proj(y)
            x = x + block.mlp.proj(F.gelu(block.mlp.fc(block.ln_2(x))))
        x = self.ln_f(x)
        return torch.matmul(x, self.wte.weight.t()), new_past


def build_model(cfg: dict, seed: int = 0, dtype=torch.float32) -> DecoderLm:
    torch.manual_seed(seed)
    m = DecoderLm(int(cfg["vocab"]), int(cfg["d_model"]), int(cfg["layers"]), int(cfg["heads"]),
                  int(cfg.get("mlp_hidden") or 0) or None, int(cfg.get("max_len", 512)),
                  cfg.get("positions", "rotary"), float(cfg.get("rope_base", 10000.0)))
    return m.to(dtype)


# ----------------------------------------------------------------------------------------------------------------
# ORPO (TRL odds_ratio_loss) and DPO
# ----------------------------------------------------------------------------------------------------------------
def log1mexp(x: torch.Tensor) -> torch.Tensor:
    """log(1 - exp(x)) for x < 0, Maechler's split: log(-expm1(x)) if x > -ln2 else log1p(-exp(x))."""
    return torch.where(x > -math.log(2.0), torch.log(-torch.expm1(x)), torch.log1p(-torch.exp(x)))


def token_logps(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """(B,T,V), (B,T) -> (B,T) where element t = log softmax(logits[t-1])[ids[t]], element 0 = 0."""
    lp = torch.log_softmax(logits[:, :-1, :], dim=-1)
    tok = torch.gather(lp, 2, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return torch.cat([torch.zeros_like(tok[:, :1]), tok], dim=1)


def sequence_logps(tok_lp: torch.Tensor, labels_mask: torch.Tensor, average: bool = True) -> torch.Tensor:
    """labels_mask (B,T) aligned with the shift (element t scores token t); element 0 is ignored."""
    m = labels_mask.to(tok_lp.dtype).clone()
    m[:, 0] = 0
    s = (tok_lp * m).sum(-1)
    return s / m.sum(-1) if average else s


def orpo_loss(logits: torch.Tensor, ids: torch.Tensor, attn_mask: torch.Tensor, labels_mask: torch.Tensor,
              n_pairs: int, lam: float = 0.1, nll_response_only: bool = False):
    """logits/ids/masks hold the concatenated batch: rows [0,n) chosen, rows [n,2n) rejected.
    Returns (loss, metrics dict of tensors, logps (2n,))."""
    tok_lp = token_logps(logits, ids)
    logps = sequence_logps(tok_lp, labels_mask)
    lw, ll = logps[:n_pairs], logps[n_pairs:]
    # NLL: token mean over all chosen tokens that are predicted (t >= 1) and real (or response-only).
    nm = (labels_mask if nll_response_only else attn_mask)[:n_pairs].to(tok_lp.dtype).clone()
    nm[:, 0] = 0
    nll = -(tok_lp[:n_pairs] * nm).sum() / nm.sum()
    log_odds = (lw - ll) - (log1mexp(lw) - log1mexp(ll))
    ratio = F.logsigmoid(log_odds)
    loss = nll - lam * ratio.mean()
    cr, rr = lam * lw.detach(), lam * ll.detach()
    metrics = {
        "rewards/chosen": cr.mean(), "rewards/rejected": rr.mean(),
        "rewards/accuracies": (cr > rr).to(cr.dtype).mean(), "rewards/margins": (cr - rr).mean(),
        "logps/chosen": lw.detach().mean(), "logps/rejected": ll.detach().mean(),
        "nll_loss": nll.detach(), "log_odds_ratio": ratio.detach().mean(), "log_odds_chosen": log_odds.detach().mean(),
    }
    return loss, metrics, logps.detach()


def dpo_loss(logits, ref_logits, ids, labels_mask, n_pairs: int, beta: float = 0.1):
    """Sigmoid DPO with summed response log-probs (TRL default)."""
    lp = sequence_logps(token_logps(logits, ids), labels_mask, average=False)
    rlp = sequence_logps(token_logps(ref_logits, ids), labels_mask, average=False)
    z = beta * ((lp[:n_pairs] - rlp[:n_pairs]) - (lp[n_pairs:] - rlp[n_pairs:]))
    return -F.logsigmoid(z).mean()


def make_optimizer(model: nn.Module, lr: float = 1e-3) -> torch.optim.Optimizer:
    # weight decay applied to ALL parameters (plain torch AdamW semantics)
    return torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)


def orpo_step(model, opt, ids, attn, labels, n_pairs, lam=0.1, nll_response_only=False):
    logits = model.forward_full(ids, attn, None)
    loss, metrics, logps = orpo_loss(logits, ids, attn, labels, n_pairs, lam, nll_response_only)
    loss.backward()
    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # coef = 1/(norm+1e-6), clamped at 1
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.detach(), metrics, logps, grad_norm


# ----------------------------------------------------------------------------------------------------------------
# safetensors (hand-written reader/writer, no dependency)
# ----------------------------------------------------------------------------------------------------------------
_ST_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
              "I64": torch.int64, "I32": torch.int32}
_ST_NAMES = {v: k for k, v in _ST_DTYPES.items()}


def read_safetensors(path: str) -> dict:
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = info["dtype"]
        if dt not in _ST_DTYPES:
            raise ValueError(f"unsupported safetensors dtype {dt} for {name}")
        start, end = info["data_offsets"]
        buf = bytearray(data[base + start:base + end])
        torch_dt = _ST_DTYPES[dt]
        if len(buf) == 0:
            t = torch.zeros(info["shape"], dtype=torch_dt)
        elif sys.byteorder != "little":
            raise RuntimeError("big-endian hosts are not supported")
        else:
            t = torch.frombuffer(buf, dtype=torch_dt).reshape(info["shape"]).clone()
        out[name] = t
    return out


def write_safetensors(path: str, tensors: dict, metadata: Optional[dict] = None):
    """Writes tensors sorted by name; ``metadata`` (for example ``{"format": "pt"}``) becomes ``__metadata__``."""
    header, blobs, off = ({"__metadata__": dict(metadata)} if metadata else {}), [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        b = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes() if t.dtype != torch.bfloat16 \
            else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": _ST_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ----------------------------------------------------------------------------------------------------------------
# Benchmark helpers
# ----------------------------------------------------------------------------------------------------------------
def peak_rss_mb() -> float:
    # VmHWM is this process's own high-water mark. ru_maxrss is not: Linux carries the parent's value across
    # fork/exec, so a reference started from a large JVM would report the JVM's peak.
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def time_it(fn, warmup: int, repeats: int, cpu_ms: Optional[List[float]] = None) -> List[float]:
    """Wall-clock milliseconds of each timed run; the process's CPU milliseconds go to cpu_ms when given."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        c0 = time.process_time()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
        if cpu_ms is not None:
            cpu_ms.append((time.process_time() - c0) * 1000.0)
    return out


def summary(times_ms: List[float]) -> dict:
    return {"median_ms": statistics.median(times_ms), "min_ms": min(times_ms), "max_ms": max(times_ms),
            "repeats": len(times_ms)}


def synthetic_pairs(n_pairs: int, seq_len: int, prompt_len: int, vocab: int, seed: int = 1):
    """Chosen rows then rejected rows, same prompt, different random responses, no padding."""
    g = torch.Generator().manual_seed(seed)
    p = max(1, min(prompt_len, seq_len - 1))
    prompt = torch.randint(vocab, (n_pairs, p), generator=g)
    chosen = torch.cat([prompt, torch.randint(vocab, (n_pairs, seq_len - p), generator=g)], 1)
    rejected = torch.cat([prompt, torch.randint(vocab, (n_pairs, seq_len - p), generator=g)], 1)
    ids = torch.cat([chosen, rejected], 0)
    attn = torch.ones_like(ids)
    labels = torch.zeros_like(ids)
    labels[:, p:] = 1
    return ids, attn, labels


def model_cfg_from_args(a, max_len_needed: int) -> dict:
    return {"vocab": a.vocab, "d_model": a.d_model, "layers": a.layers, "heads": a.heads,
            "mlp_hidden": a.mlp_hidden, "max_len": a.max_len or max(max_len_needed, 1),
            "positions": a.positions, "rope_base": a.rope_base}


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def base_result(a, mode: str, model) -> dict:
    return {"mode": mode, "params": n_params(model), "config": model.config(), "threads": a.threads,
            "torch_version": torch.__version__}


# ----------------------------------------------------------------------------------------------------------------
# Modes
# ----------------------------------------------------------------------------------------------------------------
def mode_orpo_step(a):
    dtype = getattr(torch, a.dtype)
    model = build_model(model_cfg_from_args(a, a.seq_len), a.seed, dtype)
    model.train()
    ids, attn, labels = synthetic_pairs(a.batch, a.seq_len, a.prompt_len, a.vocab, a.seed + 1)
    if a.dpo:
        ref = copy.deepcopy(model).eval()
        for p in ref.parameters():
            p.requires_grad_(False)
        opt = make_optimizer(model, a.lr)

        def step():
            with torch.no_grad():
                ref_logits = ref.forward_full(ids, attn, None)
            logits = model.forward_full(ids, attn, None)
            loss = dpo_loss(logits, ref_logits, ids, labels, a.batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
    else:
        opt = make_optimizer(model, a.lr)

        def step():
            orpo_step(model, opt, ids, attn, labels, a.batch, a.lam, a.nll_response_only)

    times = time_it(step, a.warmup, a.repeats)
    r = base_result(a, "dpo-step" if a.dpo else "orpo-step", model)
    r.update(summary(times))
    r.update({"batch_pairs": a.batch, "seq_len": a.seq_len, "prompt_len": a.prompt_len,
              "tokens_per_s": 2 * a.batch * a.seq_len / (r["median_ms"] / 1000.0), "peak_rss_mb": peak_rss_mb(),
              "nll_response_only": a.nll_response_only, "dtype": a.dtype})
    return r


def padded_pairs(pairs, vocab: int, g: torch.Generator):
    """pairs: [[prompt_len, chosen_len, rejected_len], ...] -> right-padded ids, attention and response masks of the
    chosen rows then the rejected rows, as the Java TokenBatch.collate pads (pad id 0, masked)."""
    n = len(pairs)
    t = max(max(c, r) for _, c, r in pairs)
    ids = torch.zeros(2 * n, t, dtype=torch.long)
    attn = torch.zeros(2 * n, t, dtype=torch.long)
    labels = torch.zeros(2 * n, t, dtype=torch.long)
    for i, (p, c, r) in enumerate(pairs):
        for row, length in ((i, c), (n + i, r)):
            ids[row, :length] = torch.randint(1, vocab, (length,), generator=g)
            attn[row, :length] = 1
            labels[row, p:length] = 1
    return ids, attn, labels


def mode_orpo_epoch(a):
    """An epoch of ORPO steps of given shapes (the batch JSON file: {"steps": [[micro-batch, ...], ...]}, a
    micro-batch a list of [prompt_len, chosen_len, rejected_len]); gradients accumulate over a step's micro-batches,
    each loss weighted by its share of the step's pairs, then one clipped AdamW update, as the Java trainer does.
    Untimed warm-up steps first: the file's "warmup" steps when it has them, else the first --warmup steps."""
    with open(a.batch_file) as f:
        spec = json.load(f)
    steps = spec["steps"]
    longest = max(max(c, r) for step in steps for micro in step for _, c, r in micro)
    dtype = getattr(torch, a.dtype)
    model = build_model(model_cfg_from_args(a, longest), a.seed, dtype)
    model.train()
    opt = make_optimizer(model, a.lr)
    g = torch.Generator().manual_seed(a.seed + 1)
    batches = [[padded_pairs(micro, a.vocab, g) + (len(micro),) for micro in step] for step in steps]
    warm = [[padded_pairs(micro, a.vocab, g) + (len(micro),) for micro in step] for step in spec.get("warmup", [])]

    def step(micros):
        total = sum(m[3] for m in micros)
        for ids, attn, labels, n in micros:
            logits = model.forward_full(ids, attn, None)
            loss, _, _ = orpo_loss(logits, ids, attn, labels, n, a.lam, a.nll_response_only)
            (loss * (n / total)).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    for micros in warm if warm else batches[:a.warmup]:
        step(micros)
    times = []
    for micros in batches:
        t0 = time.perf_counter()
        step(micros)
        times.append((time.perf_counter() - t0) * 1000.0)
    r = base_result(a, "orpo-epoch", model)
    r.update(summary(times))
    padded = sum(2 * len(micro) * max(max(c, rj) for _, c, rj in micro) for st in steps for micro in st)
    real = sum(c + rj for st in steps for micro in st for _, c, rj in micro)
    r.update({"steps": len(steps), "total_ms": sum(times), "padded_tokens": padded, "real_tokens": real,
              "peak_rss_mb": peak_rss_mb(), "dtype": a.dtype})
    return r


def mode_logps(a):
    dtype = getattr(torch, a.dtype)
    model = build_model(model_cfg_from_args(a, a.seq_len), a.seed, dtype).eval()
    ids, attn, labels = synthetic_pairs(a.batch, a.seq_len, a.prompt_len, a.vocab, a.seed + 1)

    def run():
        with torch.no_grad():
            logits = model.forward_full(ids, attn, None)
            sequence_logps(token_logps(logits, ids), labels)

    times = time_it(run, a.warmup, a.repeats)
    r = base_result(a, "logps", model)
    r.update(summary(times))
    r.update({"batch_pairs": a.batch, "seq_len": a.seq_len, "prompt_len": a.prompt_len,
              "tokens_per_s": 2 * a.batch * a.seq_len / (r["median_ms"] / 1000.0), "peak_rss_mb": peak_rss_mb(),
              "dtype": a.dtype})
    return r


def sample(model, prompt: torch.Tensor, new_tokens: int, kv_cache: bool, gen: torch.Generator) -> torch.Tensor:
    """Temperature-1 Gumbel-max sampling (equivalent to multinomial over softmax), no stop tokens."""
    b = prompt.size(0)
    with torch.no_grad():
        seq = prompt
        if kv_cache:
            logits, past = model.forward_cached(prompt, None)
            for i in range(new_tokens):
                last = logits[:, -1, :]
                u = torch.rand(last.shape, generator=gen, dtype=last.dtype).clamp_(min=1e-20)
                nxt = torch.argmax(last - torch.log(-torch.log(u)), dim=-1, keepdim=True)
                seq = torch.cat([seq, nxt], 1)
                if i + 1 < new_tokens:
                    logits, past = model.forward_cached(nxt, past)
        else:
            for _ in range(new_tokens):
                last = model.forward_full(seq, torch.ones_like(seq), None)[:, -1, :]
                u = torch.rand(last.shape, generator=gen, dtype=last.dtype).clamp_(min=1e-20)
                nxt = torch.argmax(last - torch.log(-torch.log(u)), dim=-1, keepdim=True)
                seq = torch.cat([seq, nxt], 1)
    return seq


def mode_sample(a):
    dtype = getattr(torch, a.dtype)
    model = build_model(model_cfg_from_args(a, a.prompt_len + a.new_tokens), a.seed, dtype).eval()
    g = torch.Generator().manual_seed(a.seed + 2)
    prompt = torch.randint(a.vocab, (a.batch, a.prompt_len), generator=g)
    kv = not a.no_kv_cache
    cpu = []
    times = time_it(lambda: sample(model, prompt, a.new_tokens, kv, g), a.warmup, a.repeats, cpu)
    r = base_result(a, "sample", model)
    r.update(summary(times))
    r.update({"batch": a.batch, "prompt_len": a.prompt_len, "new_tokens": a.new_tokens, "kv_cache": kv,
              "new_tokens_per_s": a.batch * a.new_tokens / (r["median_ms"] / 1000.0),
              "new_tokens_per_cpu_s": a.batch * a.new_tokens / (statistics.median(cpu) / 1000.0),
              "peak_rss_mb": peak_rss_mb(), "dtype": a.dtype})
    return r


def filter_logits(scores: torch.Tensor, top_k: int, top_p: float) -> torch.Tensor:
    """Hugging Face's TopKLogitsWarper then TopPLogitsWarper (min_tokens_to_keep 1): the rest becomes -inf."""
    if 0 < top_k < scores.size(-1):
        kth = torch.topk(scores, top_k)[0][..., -1, None]
        scores = scores.masked_fill(scores < kth, -float("inf"))
    if top_p < 1.0:
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        remove = cumulative <= (1 - top_p)
        remove[..., -1:] = 0
        scores = scores.masked_fill(remove.scatter(1, sorted_indices, remove), -float("inf"))
    return scores


def choose(logits: torch.Tensor, temperature: float, top_k: int, top_p: float, gen: torch.Generator):
    """One decoding step's choice as Hugging Face's sampling does it: temperature, top-k, top-p, softmax,
    torch.multinomial; plus the model's raw log-prob and the sampling log-prob of the chosen ids, read back."""
    scores = filter_logits(logits / temperature, top_k, top_p)
    probs = torch.softmax(scores, dim=-1)
    nxt = torch.multinomial(probs, 1, generator=gen)
    raw = torch.log_softmax(logits, dim=-1).gather(1, nxt)
    sampled = torch.log(probs.gather(1, nxt))
    return nxt.squeeze(1).tolist(), raw.squeeze(1).tolist(), sampled.squeeze(1).tolist()


def mode_choice(a):
    g = torch.Generator().manual_seed(a.seed + 3)
    logits = 2 * torch.randn(a.batch, a.vocab, generator=g)

    def run():
        for _ in range(a.new_tokens):
            choose(logits, a.temperature, a.top_k, a.top_p, g)

    times = time_it(run, a.warmup, a.repeats)
    r = {"mode": "choice", "vocab": a.vocab, "batch": a.batch, "temperature": a.temperature, "top_k": a.top_k,
         "top_p": a.top_p, "steps": a.new_tokens, "threads": a.threads, "torch_version": torch.__version__}
    r.update(summary(times))
    r["ms_per_step"] = r["median_ms"] / a.new_tokens
    return r


def mode_matmul_peak(a):
    best, per_size = 0.0, {}
    for n in (256, 512, 1024, 2048):
        x = torch.randn(n, n)
        y = torch.randn(n, n)
        reps = max(2, min(a.repeats, int(4e9 / (2 * n ** 3)) + 1))
        times = time_it(lambda: torch.matmul(x, y), 1, reps)
        g = 2.0 * n ** 3 / (min(times) / 1000.0) / 1e9
        per_size[str(n)] = g
        best = max(best, g)
    return {"mode": "matmul-peak", "gflops": best, "gflops_by_size": per_size, "threads": a.threads,
            "dtype": "float32", "torch_version": torch.__version__}


def _pad(rows: List[List[int]], t: int) -> torch.Tensor:
    return torch.tensor([list(r) + [0] * (t - len(r)) for r in rows], dtype=torch.int64)


def load_parity_batch(path: str):
    with open(path) as f:
        bj = json.load(f)
    cid, rid = bj["chosen_ids"], bj["rejected_ids"]
    t = max(len(r) for r in cid + rid)
    ids = torch.cat([_pad(cid, t), _pad(rid, t)], 0)
    attn = torch.cat([_pad(bj.get("chosen_mask") or [[1] * len(r) for r in cid], t),
                      _pad(bj.get("rejected_mask") or [[1] * len(r) for r in rid], t)], 0)
    labels = torch.cat([_pad(bj["chosen_labels_mask"], t), _pad(bj["rejected_labels_mask"], t)], 0)
    return bj, ids, attn, labels, len(cid)


def mode_parity(a):
    bj, ids, attn, labels, n = load_parity_batch(a.batch_file)
    weights = read_safetensors(a.weights)
    wdtype = next(iter(weights.values())).dtype
    dtype = getattr(torch, a.dtype) if a.dtype_given else (torch.float64 if wdtype == torch.float64 else torch.float32)
    model = build_model(bj["config"], 0, dtype)
    missing, unexpected = model.load_state_dict({k: v.to(dtype) for k, v in weights.items()}, strict=False)
    if missing or unexpected:
        raise SystemExit(f"parameter mismatch: missing={missing} unexpected={unexpected}")
    lam = float(bj.get("lambda", 0.1))
    nro = bool(bj.get("nll_response_only", False)) or a.nll_response_only
    model.train()
    logits = model.forward_full(ids, attn, None)
    loss, metrics, logps = orpo_loss(logits, ids, attn, labels, n, lam, nro)
    loss.backward()
    grads = {k: p.grad.detach().clone() for k, p in model.named_parameters()}
    grad_norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads.values())).item()
    r = {"mode": "parity", "dtype": str(dtype).replace("torch.", ""), "loss": loss.item(),
         "metrics": {k: v.item() for k, v in metrics.items()},
         "logps_chosen": logps[:n].tolist(), "logps_rejected": logps[n:].tolist(),
         "grad_norm": grad_norm, "lambda": lam, "nll_response_only": nro}
    if a.out_grads:
        write_safetensors(a.out_grads, grads)
        r["grads_file"] = a.out_grads
    if a.out_updated:
        opt = make_optimizer(model, a.lr)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        write_safetensors(a.out_updated, {k: p.detach() for k, p in model.named_parameters()})
        r["updated_file"] = a.out_updated
    return r


def load_prm_batch(path: str):
    """The rationales of a prm-score run: {"config", "pad_id", "scoring_batch", "ids": [[..]], "step_ends": [[..]]}."""
    with open(path) as f:
        bj = json.load(f)
    if len(bj["ids"]) != len(bj["step_ends"]) or not bj["ids"]:
        raise SystemExit("prm-score: ids and step_ends must be non-empty and of the same length")
    for row, ends in zip(bj["ids"], bj["step_ends"]):
        if not ends or min(ends) < 0 or max(ends) >= len(row):
            raise SystemExit("prm-score: every rationale needs at least one step end inside its ids")
    return bj


def prm_step_probs(model: DecoderLm, head: nn.Linear, rows: List[List[int]], ends: List[List[int]],
                   pad_id: int) -> torch.Tensor:
    """One scoring batch, as DecoderPrm.stepLogits does it: right-pad to the longest row, final hidden states,
    the state at every step's last token (batch order, then step order), the two-class head, softmax, P(correct)."""
    t = max(len(r) for r in rows)
    ids = torch.tensor([list(r) + [pad_id] * (t - len(r)) for r in rows], dtype=torch.int64)
    mask = torch.tensor([[1] * len(r) + [0] * (t - len(r)) for r in rows], dtype=torch.int64)
    flat = torch.tensor([b * t + j for b, e in enumerate(ends) for j in e], dtype=torch.int64)
    h = model.forward_hidden(ids, mask, None)
    picked = h.reshape(-1, h.size(-1)).index_select(0, flat)
    return torch.softmax(head(picked), dim=1)[:, 1]


def mode_prm_score(a):
    bj = load_prm_batch(a.batch_file)
    weights = read_safetensors(a.weights)
    head_weights = read_safetensors(a.head)
    wdtype = next(iter(weights.values())).dtype
    dtype = getattr(torch, a.dtype) if a.dtype_given else (torch.float64 if wdtype == torch.float64 else torch.float32)
    model = build_model(bj["config"], 0, dtype).eval()
    missing, unexpected = model.load_state_dict({k: v.to(dtype) for k, v in weights.items()}, strict=False)
    if missing or unexpected:
        raise SystemExit(f"parameter mismatch: missing={missing} unexpected={unexpected}")
    head = nn.Linear(model.d_model, 2).to(dtype).eval()
    missing, unexpected = head.load_state_dict({k: v.to(dtype) for k, v in head_weights.items()}, strict=False)
    if missing or unexpected:
        raise SystemExit(f"head parameter mismatch: missing={missing} unexpected={unexpected}")
    rows, ends, pad_id = bj["ids"], bj["step_ends"], int(bj.get("pad_id", 0))
    size = int(bj.get("scoring_batch", 16))
    # As DecoderPrm.scoreSteps batches: the rationales longest first, the probabilities back in the input order.
    order = sorted(range(len(rows)), key=lambda i: -len(rows[i]))
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    out: List[float] = []

    def run():
        per_row: List[List[float]] = [[] for _ in rows]
        with torch.no_grad():
            for chunk in chunks:
                probs = prm_step_probs(model, head, [rows[i] for i in chunk], [ends[i] for i in chunk],
                                       pad_id).tolist()
                at = 0
                for i in chunk:
                    per_row[i] = probs[at:at + len(ends[i])]
                    at += len(ends[i])
        out.clear()
        for p in per_row:
            out.extend(p)

    times = time_it(run, a.warmup, max(1, a.repeats))
    steps = sum(len(e) for e in ends)
    r = {"mode": "prm-score", "params": n_params(model) + n_params(head), "config": model.config(),
         "threads": a.threads, "torch_version": torch.__version__}
    r.update(summary(times))
    r.update({"rationales": len(rows), "steps": steps, "scoring_batch": size,
              "steps_per_s": steps / (r["median_ms"] / 1000.0), "peak_rss_mb": peak_rss_mb(),
              "dtype": str(dtype).replace("torch.", ""), "probabilities": list(out)})
    return r


def mode_self_test(a):
    results = {}
    ok = True
    for positions in ("rotary", "learned"):
        cfg = {"vocab": 37, "d_model": 24, "layers": 2, "heads": 3, "mlp_hidden": 40, "max_len": 40,
               "positions": positions, "rope_base": 10000.0}
        # 1) KV cache vs full forward (float32 and float64)
        for dt in (torch.float32, torch.float64):
            m = build_model(cfg, 3, dt).eval()
            with torch.no_grad():
                for p in m.parameters():  # larger weights than 0.02-init to make the test meaningful
                    p.add_(torch.randn_like(p) * 0.2)
            g = torch.Generator().manual_seed(5)
            ids = torch.randint(cfg["vocab"], (3, 20), generator=g)
            with torch.no_grad():
                full = m.forward_full(ids, torch.ones_like(ids), None)
                lg, past = m.forward_cached(ids[:, :7], None)
                parts = [lg]
                for t in range(7, 20):
                    lg, past = m.forward_cached(ids[:, t:t + 1], past)
                    parts.append(lg)
                inc = torch.cat(parts, 1)
                # ragged right padding must not change the real positions' logits
                attn = torch.ones_like(ids)
                attn[1, 12:] = 0
                padded = m.forward_full(ids, attn, None)
                short = m.forward_full(ids[1:2, :12], torch.ones_like(ids[1:2, :12]), None)
            d_kv = (full - inc).abs().max().item()
            d_pad = (padded[1, :12] - short[0]).abs().max().item()
            key = f"{positions}/{str(dt).replace('torch.', '')}"
            results[f"kv_cache_max_abs_diff/{key}"] = d_kv
            results[f"padding_max_abs_diff/{key}"] = d_pad
            ok &= d_kv < 1e-5 and d_pad < 1e-5
        # 2) gradient of the ORPO loss vs central finite differences, float64
        m = build_model(cfg, 4, torch.float64).train()
        with torch.no_grad():
            for p in m.parameters():
                p.add_(torch.randn_like(p) * 0.1)
        g = torch.Generator().manual_seed(6)
        ids, attn, labels = synthetic_pairs(2, 9, 3, cfg["vocab"], 7)
        attn[1, 7:] = 0  # ragged chosen row
        labels[1, 7:] = 0
        attn[3, 8:] = 0
        labels[3, 8:] = 0

        def f():
            return orpo_loss(m.forward_full(ids, attn, None), ids, attn, labels, 2, 0.1, False)[0]

        m.zero_grad()
        f().backward()
        worst = 0.0
        worst_abs = 0.0
        named = dict(m.named_parameters())
        for name, p in named.items():
            flat = p.data.view(-1)
            gflat = p.grad.view(-1)
            for idx in torch.randint(flat.numel(), (4,), generator=g).tolist():
                old = flat[idx].item()
                eps = 1e-6
                with torch.no_grad():
                    flat[idx] = old + eps
                    lp = f().item()
                    flat[idx] = old - eps
                    lm = f().item()
                    flat[idx] = old
                fd = (lp - lm) / (2 * eps)
                # mixed tolerance: |fd - g| <= 1e-7 + 1e-5 |fd|  <=>  score <= 1
                err = abs(fd - gflat[idx].item()) / (1e-7 + 1e-5 * abs(fd))
                worst = max(worst, err)
                worst_abs = max(worst_abs, abs(fd - gflat[idx].item()))
        results[f"grad_fd_max_abs_err/{positions}"] = worst_abs
        results[f"grad_fd_tolerance_score/{positions}"] = worst
        ok &= worst <= 1.0
    # 3) log1mexp sanity
    x = torch.tensor([-1e-8, -0.1, -0.69, -0.7, -5.0, -50.0], dtype=torch.float64)
    ref = torch.log(1 - torch.exp(x.to(torch.float64)))
    results["log1mexp_max_abs_diff"] = (log1mexp(x) - ref)[1:].abs().max().item()
    # 4) safetensors round trip
    import tempfile
    with tempfile.TemporaryDirectory() as td:
        sd = {k: v.detach() for k, v in build_model({"vocab": 5, "d_model": 4, "layers": 1, "heads": 2}, 0,
                                                      torch.float64).named_parameters()}
        write_safetensors(os.path.join(td, "w.safetensors"), sd)
        back = read_safetensors(os.path.join(td, "w.safetensors"))
        results["safetensors_roundtrip"] = all(torch.equal(sd[k], back[k]) for k in sd) and set(sd) == set(back)
    ok &= results["safetensors_roundtrip"] and results["log1mexp_max_abs_diff"] < 1e-12
    return {"mode": "self-test", "ok": bool(ok), "checks": results, "torch_version": torch.__version__}


# ----------------------------------------------------------------------------------------------------------------
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", required=True,
                   choices=["orpo-step", "orpo-epoch", "logps", "sample", "choice", "matmul-peak", "parity",
                            "prm-score", "self-test"])
    p.add_argument("--vocab", type=int, default=64)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--mlp-hidden", type=int, default=0, help="0 = 4 * d_model")
    p.add_argument("--max-len", type=int, default=0, help="0 = just enough for the run")
    p.add_argument("--positions", choices=["rotary", "learned"], default="rotary")
    p.add_argument("--rope-base", type=float, default=10000.0)
    p.add_argument("--seq-len", type=int, default=128)
    p.add_argument("--batch", default="16",
                   help="pairs (orpo-step/logps), rows (sample), or the batch JSON file (parity, prm-score, "
                        "orpo-epoch)")
    p.add_argument("--prompt-len", type=int, default=16)
    p.add_argument("--new-tokens", type=int, default=128)
    p.add_argument("--no-kv-cache", action="store_true")
    p.add_argument("--temperature", type=float, default=1.0, help="choice: the temperature (> 0)")
    p.add_argument("--top-k", type=int, default=0, help="choice: top-k, 0 = off")
    p.add_argument("--top-p", type=float, default=1.0, help="choice: top-p, 1 = off")
    p.add_argument("--dpo", action="store_true", help="orpo-step: DPO step with a frozen reference model instead")
    p.add_argument("--nll-response-only", action="store_true")
    p.add_argument("--lambda", dest="lam", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--dtype", choices=["float32", "float64"], default=None)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--weights", help="parity, prm-score: the backbone's safetensors written by the Java side")
    p.add_argument("--head", help="prm-score: the PRM head's safetensors (weight (2,D), bias (2))")
    p.add_argument("--out-grads", help="parity: write the loss gradients (safetensors)")
    p.add_argument("--out-updated", help="parity: write the weights after one clipped AdamW step (safetensors)")
    a = p.parse_args(argv)
    a.dtype_given = a.dtype is not None
    if a.dtype is None:
        a.dtype = "float32"
    if a.mode == "parity":
        if not a.weights:
            p.error("--mode parity needs --weights and --batch FILE.json")
        a.batch_file = a.batch
    elif a.mode == "orpo-epoch":
        a.batch_file = a.batch
    elif a.mode == "prm-score":
        if not a.weights or not a.head:
            p.error("--mode prm-score needs --weights, --head and --batch FILE.json")
        a.batch_file = a.batch
    else:
        a.batch = int(a.batch)
    return a


def main(argv=None):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    modes = {"orpo-step": mode_orpo_step, "orpo-epoch": mode_orpo_epoch, "logps": mode_logps, "sample": mode_sample, "choice": mode_choice,
             "matmul-peak": mode_matmul_peak, "parity": mode_parity, "prm-score": mode_prm_score,
             "self-test": mode_self_test}
    r = modes[a.mode](a)
    print(json.dumps(r))
    if a.mode == "self-test" and not r["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
