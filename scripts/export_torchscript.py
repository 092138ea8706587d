#!/usr/bin/env python3
"""Export a Hugging Face causal LM (Gemma, Qwen2.5, SmolLM, Phi, Llama-style ...) to TorchScript for sipf4j / DJL.

Output directory:
  model.pt             torch.jit.trace of a wrapper with the signature
                         forward(input_ids: int64[B,T], attention_mask: int64[B,T]) -> float32[B,T,V]
                       (use_cache=False; logits are cast to float32 whatever --dtype is; position ids are
                       derived from the mask as cumsum(mask)-1 clamped at 0, i.e. arange(T) for right padding,
                       so left padding also works). Parameters are kept (not frozen): the model stays trainable.
  tokenizer.json       the fast (Rust `tokenizers`) tokenizer, plus tokenizer_config.json & co. from save_pretrained
  sipf4j-model.json    {"format":"torchscript","vocab_size":..,"max_length":..,"bos_id":..,"eos_id":..,
                        "pad_id":..,"source":..,"dtype":..} and a few informative extra keys

Examples:
  python3 scripts/export_torchscript.py HuggingFaceTB/SmolLM2-135M-Instruct --out models/smollm2-135m
  python3 scripts/export_torchscript.py /path/to/gemma-2b --out models/gemma-2b --dtype bfloat16 --max-length 2048
  python3 scripts/export_torchscript.py --self-test            # no transformers needed

Requires torch and transformers (imported lazily, so --help and --self-test work without transformers).
Trace on the device you will run on: a model traced with --device cuda has CUDA device constants baked in.
Trace with the dtype you will run with; float16 on CPU is poorly supported by PyTorch, prefer bfloat16/float32.
"""
import argparse
import json
import os
import sys
import tempfile
import time

DTYPES = ("float32", "bfloat16", "float16")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", help="local Hugging Face model directory or hub name (needs network)")
    p.add_argument("--out", help="output directory (default: ./<model basename>-torchscript)")
    p.add_argument("--dtype", choices=DTYPES, default="float32", help="weight dtype (default float32)")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="trace device (default cpu)")
    p.add_argument("--max-length", type=int, default=0,
                   help="max sequence length recorded in sipf4j-model.json (default: the model's "
                        "max_position_embeddings, capped at 4096)")
    p.add_argument("--example-length", type=int, default=8, help="sequence length of the tracing example")
    p.add_argument("--attn-implementation", default="eager",
                   help="transformers attn_implementation used for tracing (default eager; 'sdpa' also traces "
                        "on torch >= 2.1)")
    p.add_argument("--no-position-ids", action="store_true",
                   help="do not pass position_ids derived from the mask (for models whose forward lacks them)")
    p.add_argument("--trust-remote-code", action="store_true", help="pass trust_remote_code=True to transformers")
    p.add_argument("--revision", help="hub revision")
    p.add_argument("--no-verify", action="store_true", help="skip the eager-vs-TorchScript check on new shapes")
    p.add_argument("--tolerance", type=float, default=0.0,
                   help="max abs logit difference accepted by the verification (default 1e-3 for float32, "
                        "5e-2 otherwise)")
    p.add_argument("--self-test", action="store_true",
                   help="exercise the wrapper/trace/save/verify path on a tiny random pure-PyTorch model "
                        "(no transformers needed); writes to --out or a temporary directory")
    a = p.parse_args(argv)
    if not a.self_test and not a.model:
        p.error("a model directory or hub name is required (or --self-test)")
    return a


# ----------------------------------------------------------------------------------------------------------------
def make_wrapper(model, pass_position_ids=True):
    import torch

    class CausalLmLogits(torch.nn.Module):
        """forward(input_ids, attention_mask) -> float32 logits, for any HF-style causal LM."""

        def __init__(self, inner, with_positions):
            super().__init__()
            self.model = inner
            self.with_positions = with_positions

        def forward(self, input_ids, attention_mask):
            kwargs = {"input_ids": input_ids, "attention_mask": attention_mask, "use_cache": False,
                      "return_dict": False}
            if self.with_positions:
                kwargs["position_ids"] = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)
            out = self.model(**kwargs)
            if isinstance(out, (tuple, list)):
                logits = out[0]
            elif isinstance(out, dict):
                logits = out["logits"]
            else:
                logits = out.logits
            return logits.float()

    return CausalLmLogits(model, pass_position_ids)


def example_inputs(vocab, length, device, batch=2, seed=0, low=3):
    """Random ids; row 0 full, the others right-padded (so the traced graph takes the padded-mask path)."""
    import torch
    g = torch.Generator().manual_seed(seed)
    length = max(2, length)
    ids = torch.randint(low, max(low + 1, vocab), (batch, length), generator=g)
    mask = torch.ones(batch, length, dtype=torch.long)
    for r in range(1, batch):
        keep = max(1, length - 1 - (r * 3) % (length - 1))
        mask[r, keep:] = 0
        ids[r, keep:] = 0
    return ids.to(device), mask.to(device)


def trace_and_save(model, out_dir, vocab, device, example_length, pass_position_ids, verify, tolerance, log):
    """Wraps, traces (strict=False), saves model.pt, reloads it and checks it against eager on other shapes."""
    import torch
    wrapper = make_wrapper(model, pass_position_ids).eval()
    ids, mask = example_inputs(vocab, example_length, device)
    t0 = time.time()
    with torch.no_grad():
        traced = torch.jit.trace(wrapper, (ids, mask), strict=False, check_trace=False)
    log(f"traced in {time.time() - t0:.1f}s")
    path = os.path.join(out_dir, "model.pt")
    torch.jit.save(traced, path)
    log(f"saved {path} ({os.path.getsize(path) / 2**20:.1f} MiB)")
    report = {"example_shape": list(ids.shape)}
    with torch.no_grad():
        out = traced(ids, mask)
    report["vocab_size"] = int(out.shape[-1])
    if verify:
        loaded = torch.jit.load(path, map_location=device)
        worst = 0.0
        for b, t, seed in ((1, example_length + 5, 1), (3, max(3, example_length // 2 + 3), 2)):
            vi, vm = example_inputs(vocab, t, device, batch=b, seed=seed)
            with torch.no_grad():
                e = wrapper(vi, vm)
                s = loaded(vi, vm)
            if tuple(e.shape) != tuple(s.shape):
                raise RuntimeError(f"traced model returns shape {tuple(s.shape)}, eager {tuple(e.shape)}")
            real = vm.bool()
            worst = max(worst, (e - s).abs()[real].max().item())
        report["verify_max_abs_diff"] = worst
        log(f"verified eager vs reloaded TorchScript on new shapes: max |diff| = {worst:.3g}")
        if worst > tolerance:
            raise RuntimeError(f"TorchScript logits differ from eager by {worst} > {tolerance}; the trace probably "
                               f"specialised on the example shape (try --attn-implementation eager/sdpa or a "
                               f"different --example-length)")
    return report


def write_metadata(out_dir, meta):
    with open(os.path.join(out_dir, "sipf4j-model.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


def first_id(x):
    if isinstance(x, (list, tuple)):
        return int(x[0]) if x else None
    return None if x is None else int(x)


# ----------------------------------------------------------------------------------------------------------------
def export_hf(a, log):
    import torch
    try:
        import transformers
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        sys.exit("transformers is not installed: pip install transformers (and tokenizers, safetensors)")
    dtype = getattr(torch, a.dtype)
    if a.device == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda requested but CUDA is not available")
    if a.dtype == "float16" and a.device == "cpu":
        log("warning: float16 on CPU is slow or unsupported for some ops; consider bfloat16")
    out = a.out or (os.path.basename(os.path.normpath(a.model)) + "-torchscript")
    os.makedirs(out, exist_ok=True)
    common = {"trust_remote_code": a.trust_remote_code}
    if a.revision:
        common["revision"] = a.revision

    log(f"loading tokenizer from {a.model}")
    tok = AutoTokenizer.from_pretrained(a.model, use_fast=True, **common)
    if not getattr(tok, "is_fast", False):
        sys.exit("no fast tokenizer available for this model (tokenizer.json cannot be written)")

    log(f"loading model from {a.model} as {a.dtype}")
    kw = dict(common, torch_dtype=dtype, torchscript=True)
    try:
        model = AutoModelForCausalLM.from_pretrained(a.model, attn_implementation=a.attn_implementation, **kw)
    except (TypeError, ValueError) as e:  # old transformers without attn_implementation, or unsupported value
        log(f"attn_implementation={a.attn_implementation} not accepted ({e}); loading with defaults")
        model = AutoModelForCausalLM.from_pretrained(a.model, **kw)
    model.config.use_cache = False
    model.config.return_dict = False
    model = model.to(a.device).eval()
    cfg = model.config

    vocab = int(getattr(cfg, "vocab_size", 0) or len(tok))
    tol = a.tolerance or (1e-3 if a.dtype == "float32" else 5e-2)
    rep = trace_and_save(model, out, min(vocab, len(tok)), a.device, a.example_length, not a.no_position_ids,
                         not a.no_verify, tol, log)

    tok.save_pretrained(out, legacy_format=False)
    tj = os.path.join(out, "tokenizer.json")
    if not os.path.exists(tj):
        tok.backend_tokenizer.save(tj)
    log(f"saved {tj}")

    max_pos = getattr(cfg, "max_position_embeddings", None) or getattr(cfg, "n_positions", None) or 2048
    max_length = a.max_length or min(int(max_pos), 4096)
    eos_cfg = getattr(cfg, "eos_token_id", None)
    eos_id = tok.eos_token_id if tok.eos_token_id is not None else first_id(eos_cfg)
    eos_ids = sorted({int(x) for x in ((eos_cfg if isinstance(eos_cfg, (list, tuple)) else [eos_cfg]) + [eos_id])
                      if x is not None})
    bos_id = tok.bos_token_id if tok.bos_token_id is not None else first_id(getattr(cfg, "bos_token_id", None))
    pad_id = tok.pad_token_id
    if pad_id is None:
        pad_id = first_id(getattr(cfg, "pad_token_id", None))
    if pad_id is None:
        pad_id = eos_id  # common convention; the attention mask hides it anyway
    meta = {
        "format": "torchscript",
        "vocab_size": rep["vocab_size"],
        "max_length": int(max_length),
        "bos_id": bos_id,
        "eos_id": eos_id,
        "pad_id": pad_id,
        "source": a.model,
        "dtype": a.dtype,
        # informative extras
        "eos_ids": eos_ids,
        "tokenizer_vocab_size": len(tok),
        "logits_dtype": "float32",
        "signature": "forward(input_ids: int64[B,T], attention_mask: int64[B,T]) -> float32[B,T,V]",
        "position_ids": "none" if a.no_position_ids else "cumsum(attention_mask)-1, clamped at 0",
        "architectures": list(getattr(cfg, "architectures", None) or []),
        "model_type": getattr(cfg, "model_type", None),
        "device": a.device,
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
        "chat_template": bool(getattr(tok, "chat_template", None)),
    }
    if "verify_max_abs_diff" in rep:
        meta["verify_max_abs_diff"] = rep["verify_max_abs_diff"]
    write_metadata(out, meta)
    log(f"saved {os.path.join(out, 'sipf4j-model.json')}")
    return out, meta


# ----------------------------------------------------------------------------------------------------------------
def self_test(a, log):
    """Same wrapper/trace/save/verify path on a tiny random HF-like pure-PyTorch model."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Cfg:
        vocab_size, hidden_size, max_position_embeddings = 40, 16, 64
        bos_token_id, eos_token_id, pad_token_id = 1, 2, 0

    class Output:
        def __init__(self, logits):
            self.logits = logits

    class TinyHfLike(nn.Module):
        """Mimics a transformers causal LM's call convention: kwargs in, tuple or .logits out."""

        def __init__(self):
            super().__init__()
            self.config = Cfg()
            d = Cfg.hidden_size
            self.embed = nn.Embedding(Cfg.vocab_size, d)
            self.pos = nn.Embedding(Cfg.max_position_embeddings, d)
            self.qkv = nn.Linear(d, 3 * d)
            self.o = nn.Linear(d, d)
            self.norm = nn.LayerNorm(d)
            self.lm_head = nn.Linear(d, Cfg.vocab_size, bias=False)

        def forward(self, input_ids=None, attention_mask=None, position_ids=None, use_cache=None, return_dict=None):
            b, t = input_ids.shape
            if position_ids is None:
                position_ids = torch.arange(t, device=input_ids.device).unsqueeze(0).expand(b, t)
            x = self.embed(input_ids) + self.pos(position_ids)
            q, k, v = self.qkv(x).chunk(3, dim=-1)
            allowed = torch.ones(t, t, dtype=torch.bool, device=x.device).tril().unsqueeze(0)
            allowed = allowed & attention_mask.bool().unsqueeze(1)
            s = (q @ k.transpose(1, 2)) / q.shape[-1] ** 0.5
            s = s.masked_fill(~allowed, torch.finfo(s.dtype).min)
            x = x + self.o(F.softmax(s, dim=-1) @ v)
            logits = self.lm_head(self.norm(x))
            return Output(logits) if return_dict else (logits,)

    torch.manual_seed(0)
    model = TinyHfLike().eval()
    tmp = None
    out = a.out
    if not out:
        tmp = tempfile.TemporaryDirectory()
        out = tmp.name
    os.makedirs(out, exist_ok=True)
    rep = trace_and_save(model, out, Cfg.vocab_size, "cpu", a.example_length, True, True, 1e-5, log)
    # a minimal word-level tokenizer.json in the `tokenizers` format
    vocab = {"<pad>": 0, "<bos>": 1, "<eos>": 2, "<unk>": 3}
    vocab.update({f"w{i}": i for i in range(4, Cfg.vocab_size)})
    tj = {"version": "1.0", "truncation": None, "padding": None,
          "added_tokens": [{"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
                            "normalized": False, "special": True} for c, i in list(vocab.items())[:4]],
          "normalizer": None, "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": None, "decoder": None,
          "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"}}
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tj, f)
    meta = {"format": "torchscript", "vocab_size": rep["vocab_size"], "max_length": 64, "bos_id": 1, "eos_id": 2,
            "pad_id": 0, "source": "self-test", "dtype": "float32", "torch_version": torch.__version__,
            "verify_max_abs_diff": rep["verify_max_abs_diff"]}
    write_metadata(out, meta)
    # checks: files, metadata keys, left padding equals right padding through the position ids, trainability
    for name in ("model.pt", "tokenizer.json", "sipf4j-model.json"):
        assert os.path.exists(os.path.join(out, name)), name
    with open(os.path.join(out, "sipf4j-model.json")) as f:
        m = json.load(f)
    for key in ("format", "vocab_size", "max_length", "bos_id", "eos_id", "pad_id", "source", "dtype"):
        assert key in m, key
    loaded = torch.jit.load(os.path.join(out, "model.pt"))
    ids = torch.tensor([[5, 6, 7, 8, 0, 0]])
    right = torch.tensor([[1, 1, 1, 1, 0, 0]])
    left_ids = torch.tensor([[0, 0, 5, 6, 7, 8]])
    left = torch.tensor([[0, 0, 1, 1, 1, 1]])
    with torch.no_grad():
        d = (loaded(ids, right)[0, :4] - loaded(left_ids, left)[0, 2:]).abs().max().item()
    assert d < 1e-5, f"left vs right padding differ by {d}"
    params = list(loaded.parameters())
    assert params and all(p.requires_grad for p in params), "parameters must stay trainable"
    loss = loaded(ids, right).logsumexp(-1).mean()
    loss.backward()
    assert all(p.grad is not None for p in params)
    result = {"self_test": "ok", "out": out if not tmp else None, "files": sorted(os.listdir(out)),
              "metadata": m, "left_right_padding_max_abs_diff": d, "trainable_params": len(params)}
    if tmp:
        tmp.cleanup()
    return result


def main(argv=None):
    a = parse_args(argv)

    def log(msg):
        print(f"[export] {msg}", file=sys.stderr, flush=True)

    if a.self_test:
        print(json.dumps(self_test(a, log)))
        return
    out, meta = export_hf(a, log)
    print(json.dumps({"out": out, "metadata": meta}))


if __name__ == "__main__":
    main()
