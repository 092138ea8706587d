#!/usr/bin/python3
"""Plain-PyTorch reference of the Hugging Face decoder families that sipf4j's HfCausalLm loads.

Written from Hugging Face Transformers' modeling code (modeling_llama.py, modeling_mistral.py, modeling_qwen2.py,
modeling_gemma.py, modeling_phi.py, modeling_rope_utils.py) for torch >= 1.13 without `transformers`: the same
module tree, hence the same parameter names (`model.embed_tokens.weight`, `model.layers.N.self_attn.q_proj.weight`,
`lm_head.weight`, ...), the same defaults for absent config.json fields, and the same arithmetic (RMSNorm in float32,
Gemma's (1 + w) norm and sqrt(hidden) embedding scale, GELU-tanh, grouped-query attention through repeat_kv, Phi's
partial rotary embedding and float32 attention scores, softmax in float32).  Positions count real tokens only
(cumsum(mask) - 1, as Hugging Face's generate computes them), so left and right padding give the same logits.

Import it or use the helpers from the command line through scripts/make_hf_fixtures.py; run as a script it is
the PyTorch side of sipf4j's HfBenchmark (one JSON object on stdout; median, min and max of wall and process CPU
milliseconds over --repeats runs after --warmup runs; --threads also fixes OpenBLAS's and OpenMP's thread counts):

    /usr/bin/python3 scripts/hf_reference.py --mode sample --folder DIR --batch 16 --prompt-len 32 --new-tokens 64
    /usr/bin/python3 scripts/hf_reference.py --mode orpo-step --folder DIR --batch 4 --seq-len 128

`sample` generates with this file's KV cache (prefill the prompts, then one token per step) at temperature 1 the
way Hugging Face's generate samples (softmax of the last position's logits over the temperature, torch.multinomial),
under torch.no_grad, every row exactly --new-tokens tokens; `orpo-step` is one ORPO step on --batch random pairs
(forward of the 2·batch rows, TRL's loss, backward, clip at global norm 1, AdamW: torch_reference.orpo_step).

Importing it:

    import hf_reference as H
    model = H.load_folder("Qwen2.5-0.5B")                 # config.json + model.safetensors or shards
    logits = model.forward_full(ids, attention_mask)        # float32 (B, T, V)
    out = H.generate_greedy(model, prompt_ids, 16)          # KV cache, batch of left-padded prompts
    H.save_folder(model, "out", dtype=torch.bfloat16, max_shard_bytes=5 * 10**9)

LoRA (written from the formulas of Hugging Face PEFT's tuners/lora/layer.py, without `peft`): add_lora wraps the
targeted nn.Linear modules in LoraLinear (y = base(x) + scaling * B(A(dropout(x))), adapter in float32, summed in
float32 and cast back to the base's type), lora_state_dict and save_adapter/load_adapter use PEFT's file layout
(adapter_model.safetensors with keys base_model.model.MODULE.lora_A.weight [r, in] and .lora_B.weight [out, r],
adapter_config.json), and merge_lora folds W + scaling * B @ A into the base:

    H.add_lora(model, r=8, alpha=16, targets=["q_proj", "v_proj"])
    H.save_adapter(model, "adapter", base_name="Qwen2.5-0.5B")
"""
import argparse
import json
import math
import os
import statistics
import sys
import time
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "benchmarks", "python"))
import torch_reference as R  # noqa: E402  (safetensors I/O and TRL's ORPO loss)

SUPPORTED = ("llama", "mistral", "qwen2", "gemma", "phi")
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


class Config:
    """config.json with each family's Hugging Face defaults; rejects what sipf4j rejects."""

    def __init__(self, d: dict):
        self.raw = dict(d)
        t = d.get("model_type")
        if t not in SUPPORTED:
            raise ValueError(f"model_type {t!r} is not supported; supported: {SUPPORTED}")
        self.model_type = t
        g = lambda k, default: d[k] if d.get(k) is not None else default  # noqa: E731
        llama, mistral, qwen2, gemma, phi = (t == "llama", t == "mistral", t == "qwen2", t == "gemma", t == "phi")
        defaults = {
            "llama": (32000, 4096, 11008, 32, 32, 2048, "silu", False),
            "mistral": (32000, 4096, 14336, 32, 32, 131072, "silu", False),
            "qwen2": (151936, 4096, 22016, 32, 32, 32768, "silu", False),
            "gemma": (256000, 3072, 24576, 28, 16, 8192, "gelu_pytorch_tanh", True),
            "phi": (51200, 2048, 8192, 24, 32, 2048, "gelu_new", False),
        }[t]
        self.vocab_size = g("vocab_size", defaults[0])
        self.hidden_size = g("hidden_size", defaults[1])
        self.intermediate_size = g("intermediate_size", defaults[2])
        self.num_hidden_layers = g("num_hidden_layers", defaults[3])
        self.num_attention_heads = g("num_attention_heads", defaults[4])
        kv_default = 8 if mistral else (32 if qwen2 else (16 if gemma else self.num_attention_heads))
        self.num_key_value_heads = g("num_key_value_heads", kv_default)
        self.max_position_embeddings = g("max_position_embeddings", defaults[5])
        if gemma:
            self.head_dim = g("head_dim", 256)
            # Hugging Face: hidden_activation wins; absent or null means the tanh GELU whatever hidden_act says.
            self.act = g("hidden_activation", "gelu_pytorch_tanh")
        else:
            self.head_dim = self.hidden_size // self.num_attention_heads if phi else \
                g("head_dim", self.hidden_size // self.num_attention_heads)
            self.act = g("hidden_act", defaults[6])
        self.tie_word_embeddings = g("tie_word_embeddings", defaults[7])
        self.eps = g("layer_norm_eps", 1e-5) if phi else g("rms_norm_eps", 1e-6)
        rp = d.get("rope_parameters") or d.get("rope_scaling") or {}
        self.rope_theta = float(d["rope_theta"] if d.get("rope_theta") is not None else
                                rp.get("rope_theta", 10000.0))
        self.rope_type = rp.get("rope_type", rp.get("type", "default")) if rp else "default"
        if self.rope_type not in ("default", "linear", "llama3"):
            raise ValueError(f"rope type {self.rope_type!r} is not supported")
        self.rope = rp
        self.partial_rotary_factor = g("partial_rotary_factor", 0.5) if phi else 1.0
        self.rotary_dim = int(self.head_dim * self.partial_rotary_factor)
        self.qkv_bias = qwen2 or phi or ((llama or mistral or gemma) and g("attention_bias", False))
        self.o_bias = phi or ((llama or mistral or gemma) and g("attention_bias", False))
        self.mlp_bias = (llama or mistral) and g("mlp_bias", False)
        self.gemma, self.phi = gemma, phi
        if qwen2 and d.get("use_sliding_window"):
            raise ValueError("use_sliding_window is not supported")
        if phi and d.get("qk_layernorm"):
            raise ValueError("qk_layernorm is not supported")
        self.max_length = self.max_position_embeddings
        if mistral:
            window = d.get("sliding_window", 4096)
            if window is not None:
                self.max_length = min(self.max_length, window)


def inverse_frequencies(c: Config) -> torch.Tensor:
    """modeling_rope_utils: default, linear and llama3 inverse frequencies, float32."""
    dim = c.rotary_dim
    inv = 1.0 / (c.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    if c.rope_type == "linear":
        inv = inv / c.rope["factor"]
    elif c.rope_type == "llama3":
        factor = c.rope["factor"]
        low, high = c.rope["low_freq_factor"], c.rope["high_freq_factor"]
        old = c.rope["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        inv = torch.where(medium, smoothed, scaled)
    return inv


def activation(name: str):
    if name in ("silu", "swish"):
        return F.silu
    if name == "gelu":
        return F.gelu
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: F.gelu(x, approximate="tanh")
    raise ValueError(f"activation {name!r} is not supported")


class RMSNorm(nn.Module):
    """LlamaRMSNorm: normalise in float32, cast back, then scale."""

    def __init__(self, n: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        h = x.to(torch.float32)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)


class GemmaRMSNorm(nn.Module):
    """GemmaRMSNorm: (x / rms(x)) * (1 + w) in float32, then cast."""

    def __init__(self, n: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(n))
        self.eps = eps

    def forward(self, x):
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return (h * (1.0 + self.weight.float())).type_as(x)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def repeat_kv(x, n: int):
    b, h, t, d = x.shape
    return x if n == 1 else x[:, :, None, :, :].expand(b, h, n, t, d).reshape(b, h * n, t, d)


class Attention(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        h, d = c.num_attention_heads, c.head_dim
        self.q_proj = nn.Linear(c.hidden_size, h * d, bias=c.qkv_bias)
        self.k_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * d, bias=c.qkv_bias)
        self.v_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * d, bias=c.qkv_bias)
        out = nn.Linear(h * d, c.hidden_size, bias=c.o_bias)
        if c.phi:
            self.dense = out
        else:
            self.o_proj = out

    def forward(self, x, cos, sin, mask, past: Optional[Tuple[torch.Tensor, torch.Tensor]] = None):
        c = self.c
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, c.num_attention_heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, c.num_key_value_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, c.num_key_value_heads, c.head_dim).transpose(1, 2)
        rd = c.rotary_dim
        q = torch.cat((q[..., :rd] * cos + rotate_half(q[..., :rd]) * sin, q[..., rd:]), dim=-1)
        k = torch.cat((k[..., :rd] * cos + rotate_half(k[..., :rd]) * sin, k[..., rd:]), dim=-1)
        if past is not None:
            k = torch.cat((past[0], k), dim=2)
            v = torch.cat((past[1], v), dim=2)
        groups = c.num_attention_heads // c.num_key_value_heads
        kr, vr = repeat_kv(k, groups), repeat_kv(v, groups)
        if c.phi:  # "Queries and keys upcast to fp32 is required by Phi-2 to avoid overflow"
            scores = torch.matmul(q.to(torch.float32), kr.to(torch.float32).transpose(2, 3)) / math.sqrt(c.head_dim)
        else:
            scores = torch.matmul(q, kr.transpose(2, 3)) * (c.head_dim ** -0.5)
        scores = scores + mask
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(vr.dtype)
        y = torch.matmul(probs, vr).transpose(1, 2).reshape(b, t, c.num_attention_heads * c.head_dim)
        return (self.dense if c.phi else self.o_proj)(y), (k, v)


class GatedMlp(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=c.mlp_bias)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=c.mlp_bias)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=c.mlp_bias)
        self.act = activation(c.act)

    def forward(self, x):
        return self.down_proj(self.act(self.gate_proj(x)) * self.up_proj(x))


class PhiMlp(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.fc1 = nn.Linear(c.hidden_size, c.intermediate_size)
        self.fc2 = nn.Linear(c.intermediate_size, c.hidden_size)
        self.act = activation(c.act)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Layer(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.self_attn = Attention(c)
        if c.phi:
            self.input_layernorm = nn.LayerNorm(c.hidden_size, eps=c.eps)
            self.mlp = PhiMlp(c)
        else:
            norm = GemmaRMSNorm if c.gemma else RMSNorm
            self.input_layernorm = norm(c.hidden_size, c.eps)
            self.post_attention_layernorm = norm(c.hidden_size, c.eps)
            self.mlp = GatedMlp(c)

    def forward(self, x, cos, sin, mask, past=None):
        if self.c.phi:  # attention and MLP in parallel off one norm
            h = self.input_layernorm(x)
            a, kv = self.self_attn(h, cos, sin, mask, past)
            return a + self.mlp(h) + x, kv
        a, kv = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), kv


class CausalLm(nn.Module):
    """XForCausalLM: `model` (embed_tokens, layers, norm | final_layernorm) and `lm_head`."""

    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.model = nn.Module()
        self.model.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.model.layers = nn.ModuleList([Layer(c) for _ in range(c.num_hidden_layers)])
        if c.phi:
            self.model.final_layernorm = nn.LayerNorm(c.hidden_size, eps=c.eps)
        else:
            self.model.norm = (GemmaRMSNorm if c.gemma else RMSNorm)(c.hidden_size, c.eps)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=c.phi)
        if c.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight
        self.register_buffer("inv_freq", inverse_frequencies(c), persistent=False)

    def _angles(self, pos, dtype):
        freqs = pos.float()[..., None] * self.inv_freq.float()[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(dtype).unsqueeze(1), emb.sin().to(dtype).unsqueeze(1)

    def _mask(self, key_mask, tq: int, dtype):
        """Additive (B, 1, tq, tk) mask: queries are the last tq of tk positions."""
        tk = key_mask.shape[1]
        qi = torch.arange(tk - tq, tk)[:, None]
        allowed = (torch.arange(tk)[None, :] <= qi)[None] & (key_mask[:, None, :] != 0)
        zero = torch.zeros((), dtype=dtype)
        return torch.where(allowed, zero, torch.tensor(torch.finfo(dtype).min, dtype=dtype)).unsqueeze(1)

    def _run(self, ids, pos, mask, past=None):
        x = self.model.embed_tokens(ids)
        if self.c.gemma:
            x = x * torch.tensor(self.c.hidden_size ** 0.5, dtype=x.dtype)
        cos, sin = self._angles(pos, x.dtype)
        new_past = []
        for i, layer in enumerate(self.model.layers):
            x, kv = layer(x, cos, sin, mask, None if past is None else past[i])
            new_past.append(kv)
        x = (self.model.final_layernorm if self.c.phi else self.model.norm)(x)
        return x, new_past

    def forward_hidden(self, ids, attention_mask, position_ids=None):
        pos = position_ids if position_ids is not None else (attention_mask.cumsum(1) - 1).clamp(min=0)
        return self._run(ids, pos, self._mask(attention_mask, ids.shape[1], self.model.embed_tokens.weight.dtype))[0]

    def forward_full(self, ids, attention_mask, position_ids=None):
        """Float32 logits (B, T, V) for every position."""
        return self.lm_head(self.forward_hidden(ids, attention_mask, position_ids)).float()

    def forward_cached(self, ids, key_mask, past=None):
        """Incremental decoding: `ids` (B, Tn) continue the cached rows; `key_mask` (B, Tp + Tn) covers every key.
        Returns float32 logits (B, Tn, V) and the grown cache (per layer keys and values, already rotated)."""
        tn = ids.shape[1]
        pos = (key_mask.cumsum(1) - 1).clamp(min=0)[:, -tn:]
        x, new_past = self._run(ids, pos, self._mask(key_mask, tn, self.model.embed_tokens.weight.dtype), past)
        return self.lm_head(x).float(), new_past


def build(config: dict, seed: int = 0, dtype=torch.float32) -> CausalLm:
    torch.manual_seed(seed)
    return CausalLm(Config(config)).to(dtype)


def named_weights(model: CausalLm) -> dict:
    """The parameters under their Hugging Face names, a tied head once (as save_pretrained writes them)."""
    return {k: p for k, p in model.named_parameters()}


def read_weights(folder: str) -> dict:
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        out = {}
        for shard in sorted(set(weight_map.values())):
            out.update(R.read_safetensors(os.path.join(folder, shard)))
        missing = set(weight_map) - set(out)
        if missing:
            raise ValueError(f"index lists tensors its shards lack: {sorted(missing)[:5]}")
        return out
    return R.read_safetensors(os.path.join(folder, "model.safetensors"))


def load_folder(folder: str, dtype: Optional[torch.dtype] = None) -> CausalLm:
    """Loads a folder strictly (every parameter present with its shape, no unknown tensor); dtype None keeps the
    checkpoint's own type."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    weights = read_weights(folder)
    model = CausalLm(Config(config))
    expected = named_weights(model)
    unknown = set(weights) - set(expected) - ({"lm_head.weight"} if model.c.tie_word_embeddings else set())
    missing = set(expected) - set(weights)
    if unknown or missing:
        raise ValueError(f"{folder}: unknown tensors {sorted(unknown)}, missing tensors {sorted(missing)}")
    with torch.no_grad():
        for name, p in expected.items():
            w = weights[name]
            if tuple(w.shape) != tuple(p.shape):
                raise ValueError(f"{folder}: {name} has shape {tuple(w.shape)}, expected {tuple(p.shape)}")
            p.copy_(w.float())
    first = next(iter(weights.values())).dtype
    return model.to(dtype if dtype is not None else first)


def save_folder(model: CausalLm, folder: str, dtype=None, max_shard_bytes: Optional[int] = None):
    """Writes config.json (torch_dtype updated) and the weights, sharded with an index above max_shard_bytes."""
    os.makedirs(folder, exist_ok=True)
    weights = {k: (p.detach().to(dtype) if dtype is not None else p.detach()) for k, p in named_weights(model).items()}
    config = dict(model.c.raw)
    config["torch_dtype"] = {v: k for k, v in DTYPES.items()}[next(iter(weights.values())).dtype]
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    meta = {"format": "pt"}
    names = sorted(weights)
    total = sum(weights[n].numel() * weights[n].element_size() for n in names)
    if max_shard_bytes is None or total <= max_shard_bytes:
        R.write_safetensors(os.path.join(folder, "model.safetensors"), weights, meta)
        return
    shards, cur, size = [], [], 0
    for n in names:
        b = weights[n].numel() * weights[n].element_size()
        if cur and size + b > max_shard_bytes:
            shards.append(cur)
            cur, size = [], 0
        cur.append(n)
        size += b
    shards.append(cur)
    weight_map = {}
    for i, part in enumerate(shards):
        file = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        R.write_safetensors(os.path.join(folder, file), {n: weights[n] for n in part}, meta)
        weight_map.update({n: file for n in part})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
        f.write("\n")


@torch.no_grad()
def token_logprobs(model: CausalLm, sequence: List[int]) -> List[float]:
    """Element t = log p(token t+1 | tokens 0..t), float32, one unpadded sequence."""
    ids = torch.tensor([sequence])
    logits = model.forward_full(ids, torch.ones_like(ids))
    lp = torch.log_softmax(logits[0, :-1].float(), dim=-1)
    return lp.gather(1, ids[0, 1:, None])[:, 0].tolist()


@torch.no_grad()
def greedy_uncached(model: CausalLm, prompt: List[int], new_tokens: int) -> List[int]:
    """Greedy decoding of one prompt, re-reading the whole sequence at every token (no cache, no padding)."""
    seq = list(prompt)
    for _ in range(new_tokens):
        ids = torch.tensor([seq])
        seq.append(int(model.forward_full(ids, torch.ones_like(ids))[0, -1].argmax()))
    return seq[len(prompt):]


@torch.no_grad()
def generate_greedy(model: CausalLm, prompts: List[List[int]], new_tokens: int, pad_id: int = 0) -> List[List[int]]:
    """Greedy decoding of a batch of left-padded prompts with the KV cache (the benchmarks' reference)."""
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad_id] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    logits, past = model.forward_cached(ids, mask)
    out = []
    for _ in range(new_tokens):
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        out.append(nxt)
        mask = torch.cat((mask, torch.ones_like(nxt)), dim=1)
        logits, past = model.forward_cached(nxt, mask, past)
    return torch.cat(out, dim=1).tolist()


# ---------------------------------------------------------------------------------------------------------------------
# LoRA in PEFT's layout


class LoraLinear(nn.Module):
    """A frozen nn.Linear plus a low-rank update, PEFT's LoRA Linear for one adapter: the input is cast to the
    adapter's type, dropped out, multiplied by A^T then B^T, scaled and added to the base output in the promoted type,
    and the sum is cast back to the base output's type."""

    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float = 0.0, rslora: bool = False):
        super().__init__()
        self.base_layer = base
        self.r, self.alpha = r, alpha
        self.scaling = alpha / math.sqrt(r) if rslora else alpha / r
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.merged = False

    def init_peft_default(self):
        """init_lora_weights=True: A Kaiming-uniform with a = sqrt(5), B zero."""
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)

    def delta_weight(self) -> torch.Tensor:
        return (self.lora_B.weight.float() @ self.lora_A.weight.float()) * self.scaling

    def forward(self, x):
        result = self.base_layer(x)
        if self.merged:
            return result
        xa = x.to(self.lora_A.weight.dtype)
        return (result + self.lora_B(self.lora_A(self.dropout(xa))) * self.scaling).to(result.dtype)


def lora_targets(model: CausalLm, targets) -> List[str]:
    """PEFT's matching: a module path equal to a target name or ending in '.' + name, over nn.Linear modules other
    than the output head; "all-linear" takes them all."""
    out = []
    for name, m in model.named_modules():
        if not isinstance(m, nn.Linear) or name == "lm_head" or ".lora_" in name or name.endswith("base_layer"):
            continue
        if targets == "all-linear" or any(name == t or name.endswith("." + t) for t in targets):
            out.append(name)
    return out


def add_lora(model: CausalLm, r: int, alpha: float, targets, dropout: float = 0.0, rslora: bool = False,
             ranks: Optional[dict] = None, alphas: Optional[dict] = None, layers: Optional[List[int]] = None) -> List[str]:
    """Freezes the model and wraps the targeted projections; ranks/alphas map a module suffix to its own r/alpha
    (PEFT's rank_pattern/alpha_pattern); layers keeps only those layer indices. Returns the wrapped module paths."""
    for p in model.parameters():
        p.requires_grad_(False)
    done = []
    for name in lora_targets(model, targets):
        if layers is not None and int(name.split(".")[2]) not in layers:
            continue
        parent, child = name.rsplit(".", 1)
        holder = model.get_submodule(parent)
        rank = next((v for k, v in (ranks or {}).items() if name.endswith(k)), r)
        a = next((v for k, v in (alphas or {}).items() if name.endswith(k)), alpha)
        setattr(holder, child, LoraLinear(getattr(holder, child), rank, a, dropout, rslora))
        done.append(name)
    return done


def lora_modules(model: CausalLm) -> dict:
    return {n: m for n, m in model.named_modules() if isinstance(m, LoraLinear)}


def lora_state_dict(model: CausalLm) -> dict:
    """The adapter tensors under PEFT's saved keys (adapter name removed, base_model.model. in front)."""
    out = {}
    for n, m in lora_modules(model).items():
        out[f"base_model.model.{n}.lora_A.weight"] = m.lora_A.weight.detach().contiguous()
        out[f"base_model.model.{n}.lora_B.weight"] = m.lora_B.weight.detach().contiguous()
    return out


def lora_parameters(model: CausalLm) -> dict:
    out = {}
    for n, m in lora_modules(model).items():
        out[f"base_model.model.{n}.lora_A.weight"] = m.lora_A.weight
        out[f"base_model.model.{n}.lora_B.weight"] = m.lora_B.weight
    return out


def adapter_config(r: int, alpha, targets, base_name: Optional[str], dropout: float = 0.0, rslora: bool = False,
                   ranks: Optional[dict] = None, alphas: Optional[dict] = None,
                   layers: Optional[List[int]] = None) -> dict:
    """adapter_config.json with the fields PEFT's LoraConfig writes."""
    return {"alpha_pattern": alphas or {}, "auto_mapping": None, "base_model_name_or_path": base_name,
            "bias": "none", "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True,
            "layer_replication": None, "layers_pattern": None, "layers_to_transform": layers, "loftq_config": {},
            "lora_alpha": alpha, "lora_dropout": dropout, "megatron_config": None, "megatron_core": "megatron.core",
            "modules_to_save": None, "peft_type": "LORA", "r": r, "rank_pattern": ranks or {}, "revision": None,
            "target_modules": targets, "task_type": "CAUSAL_LM", "use_dora": False, "use_rslora": rslora}


def save_adapter(model: CausalLm, folder: str, config: dict):
    os.makedirs(folder, exist_ok=True)
    R.write_safetensors(os.path.join(folder, "adapter_model.safetensors"), lora_state_dict(model), {"format": "pt"})
    with open(os.path.join(folder, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")


def load_adapter(model: CausalLm, folder: str) -> List[str]:
    """Reads a PEFT adapter folder onto a model (strict: every tensor must fit a wrapped module)."""
    with open(os.path.join(folder, "adapter_config.json")) as f:
        c = json.load(f)
    tensors = R.read_safetensors(os.path.join(folder, "adapter_model.safetensors"))
    modules = sorted({k[len("base_model.model."):].rsplit(".lora_", 1)[0] for k in tensors})
    for p in model.parameters():
        p.requires_grad_(False)
    for name in modules:
        parent, child = name.rsplit(".", 1)
        holder = model.get_submodule(parent)
        a = tensors[f"base_model.model.{name}.lora_A.weight"]
        rank = a.shape[0]
        alpha = next((v for k, v in (c.get("alpha_pattern") or {}).items() if name.endswith(k)), c["lora_alpha"])
        lin = LoraLinear(getattr(holder, child), rank, alpha, c.get("lora_dropout", 0.0), c.get("use_rslora", False))
        with torch.no_grad():
            lin.lora_A.weight.copy_(a.float())
            lin.lora_B.weight.copy_(tensors[f"base_model.model.{name}.lora_B.weight"].float())
        setattr(holder, child, lin)
    return modules


@torch.no_grad()
def merge_lora(model: CausalLm):
    """W <- W + scaling * B @ A in float32, rounded to W's type once; the wrappers then pass the base through."""
    for m in lora_modules(model).values():
        w = m.base_layer.weight
        w.copy_((w.float() + m.delta_weight()).to(w.dtype))
        m.merged = True


@torch.no_grad()
def generate_sampled(model: CausalLm, prompts: torch.Tensor, new_tokens: int, temperature: float,
                     gen: torch.Generator) -> torch.Tensor:
    """Samples `new_tokens` tokens after each (unpadded) prompt row with the KV cache: softmax over the temperature
    and torch.multinomial (Hugging Face's generate with do_sample and no warpers), no stop tokens."""
    mask = torch.ones_like(prompts)
    logits, past = model.forward_cached(prompts, mask)
    out = []
    for i in range(new_tokens):
        probs = torch.softmax(logits[:, -1, :] / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=gen)
        out.append(nxt)
        if i + 1 < new_tokens:
            mask = torch.cat((mask, torch.ones_like(nxt)), dim=1)
            logits, past = model.forward_cached(nxt, mask, past)
    return torch.cat(out, dim=1)


def _timed(fn, warmup: int, repeats: int) -> Tuple[List[float], List[float]]:
    """Wall and process CPU milliseconds of each timed run (CPU time counts only this process's work, so it depends
    far less than wall time on what else shares the machine)."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w) * 1000.0)
        cpu.append((time.process_time() - c) * 1000.0)
    return wall, cpu


def _bench_result(a, mode: str, model: CausalLm, fn) -> dict:
    wall, cpu = _timed(fn, a.warmup, a.repeats)
    r = {"mode": mode, "folder": os.path.basename(os.path.normpath(a.folder)),
         "params": sum(p.numel() for p in model.parameters()), "threads": torch.get_num_threads(),
         "torch_version": torch.__version__, "dtype": str(model.model.embed_tokens.weight.dtype).replace("torch.", "")}
    r.update(R.summary(wall))
    r.update({"cpu_median_ms": statistics.median(cpu), "cpu_min_ms": min(cpu), "cpu_max_ms": max(cpu)})
    return r


def bench_sample(a) -> dict:
    model = load_folder(a.folder, torch.float32).eval()
    g = torch.Generator().manual_seed(a.seed)
    prompts = torch.randint(3, model.c.vocab_size, (a.batch, a.prompt_len), generator=g)
    r = _bench_result(a, "sample", model, lambda: generate_sampled(model, prompts, a.new_tokens, a.temperature, g))
    tokens = a.batch * a.new_tokens
    r.update({"batch": a.batch, "prompt_len": a.prompt_len, "new_tokens": a.new_tokens, "kv_cache": True,
              "temperature": a.temperature, "new_tokens_per_s": tokens / (r["median_ms"] / 1000.0),
              "new_tokens_per_cpu_s": tokens / (r["cpu_median_ms"] / 1000.0), "peak_rss_mb": R.peak_rss_mb()})
    return r


def bench_orpo_step(a) -> dict:
    model = load_folder(a.folder, torch.float32).train()
    ids, attn, labels = R.synthetic_pairs(a.batch, a.seq_len, a.prompt_len, model.c.vocab_size, a.seed)
    opt = R.make_optimizer(model, a.lr)
    r = _bench_result(a, "orpo-step", model, lambda: R.orpo_step(model, opt, ids, attn, labels, a.batch, a.lam))
    r.update({"batch_pairs": a.batch, "seq_len": a.seq_len, "prompt_len": a.prompt_len,
              "tokens_per_s": 2 * a.batch * a.seq_len / (r["median_ms"] / 1000.0), "peak_rss_mb": R.peak_rss_mb()})
    return r


def main(argv=None):
    p = argparse.ArgumentParser(description="The PyTorch side of sipf4j's HfBenchmark (see the module docstring).")
    p.add_argument("--mode", required=True, choices=["sample", "orpo-step"])
    p.add_argument("--folder", required=True, help="a Hugging Face model folder (config.json + safetensors)")
    p.add_argument("--batch", type=int, default=16, help="sample: rows; orpo-step: pairs")
    p.add_argument("--prompt-len", type=int, default=32)
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--seq-len", type=int, default=128)
    p.add_argument("--lambda", dest="lam", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    # OpenBLAS (Debian's torch) sizes its own thread pool when it loads and ignores torch.set_num_threads, so a
    # second BLAS thread would run beside a "single-threaded" reference: fix its count and restart once.
    wanted = str(a.threads)
    if argv is None and any(os.environ.get(v) != wanted for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")):
        os.environ["OPENBLAS_NUM_THREADS"] = wanted
        os.environ["OMP_NUM_THREADS"] = wanted
        os.execv(sys.executable, [sys.executable] + sys.argv)
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    print(json.dumps(bench_sample(a) if a.mode == "sample" else bench_orpo_step(a)))


if __name__ == "__main__":
    main()
