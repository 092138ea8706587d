#!/usr/bin/python3
"""Builds the tiny TorchScript causal LM test fixture used by orpo-core's Java tests.

Writes into orpo-core/src/test/resources/torchscript/ (or --out):
  tiny_lm.pt                 torch.jit.script of benchmarks/python/torch_reference.py:DecoderLm,
                             forward(input_ids: int64[B,T], attention_mask: int64[B,T]) -> float32[B,T,V]
  tiny_lm.safetensors        the same weights (F32), parameter names as in the Java DecoderLm
  tiny_lm_reference.json     config, parameter names/shapes, two ragged example inputs with their reference logits,
                             and one ORPO preference batch with its loss, metrics and per-row log-probs

Deterministic (fixed seed, single thread).  Run with Debian's /usr/bin/python3 (torch >= 1.13).
"""
import argparse
import hashlib
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "python"))
import torch_reference as R  # noqa: E402

CONFIG = {"vocab": 48, "d_model": 32, "layers": 2, "heads": 4, "mlp_hidden": 128, "max_len": 64,
          "positions": "rotary", "rope_base": 10000.0}
SEED = 1234
# With the 0.02 training init the logits are ~0.1 and attention is near uniform, so e.g. dropping the rotary
# embedding changes logits by only ~2e-3.  The fixture therefore uses larger weights (drawn with the same seed
# after the standard init) so that parity tests are discriminative: 2-D weights ~ N(0, 0.2) (wte ~ N(0, 0.3)),
# biases and LayerNorm parameters = init + N(0, 0.1).
MATRIX_STD, WTE_STD, VECTOR_STD = 0.2, 0.3, 0.1
PAD_ID, BOS_ID, EOS_ID = 0, 1, 2


def r7(x):
    """Round nested lists of floats to 7 significant digits."""
    if isinstance(x, list):
        return [r7(v) for v in x]
    return float(f"{x:.7g}")


def examples():
    # example 0: batch 2, T 10, row 1 right-padded after 7 tokens
    ids0 = [[1, 5, 9, 13, 17, 21, 25, 29, 33, 2],
            [1, 47, 3, 8, 16, 40, 2, 0, 0, 0]]
    m0 = [[1] * 10, [1] * 7 + [0] * 3]
    # example 1: batch 3, T 6, rows padded differently (row 2 is a single token)
    ids1 = [[1, 10, 20, 30, 40, 2],
            [1, 11, 22, 2, 0, 0],
            [1, 0, 0, 0, 0, 0]]
    m1 = [[1] * 6, [1, 1, 1, 1, 0, 0], [1, 0, 0, 0, 0, 0]]
    return [(ids0, m0), (ids1, m1)]


def preference_batch():
    """Two pairs, explicit prompt / chosen / rejected token ids, right padding to a common length."""
    pairs = [
        {"prompt": [1, 5, 6, 7], "chosen": [10, 11, 12, 2], "rejected": [20, 21, 2]},
        {"prompt": [1, 8, 9, 10, 11], "chosen": [30, 31, 2], "rejected": [40, 41, 42, 43, 2]},
    ]
    rows = [(p["prompt"], p["chosen"]) for p in pairs] + [(p["prompt"], p["rejected"]) for p in pairs]
    t = max(len(a) + len(b) for a, b in rows)
    ids, mask, labels = [], [], []
    for prompt, resp in rows:
        n = len(prompt) + len(resp)
        ids.append(prompt + resp + [PAD_ID] * (t - n))
        mask.append([1] * n + [0] * (t - n))
        labels.append([0] * len(prompt) + [1] * len(resp) + [0] * (t - n))
    n = len(pairs)
    return pairs, {"chosen_ids": ids[:n], "rejected_ids": ids[n:], "chosen_mask": mask[:n],
                   "rejected_mask": mask[n:], "chosen_labels_mask": labels[:n], "rejected_labels_mask": labels[n:]}


def fixture_model():
    model = R.build_model(CONFIG, SEED, torch.float32)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2:
                p.normal_(0.0, WTE_STD if name == "wte.weight" else MATRIX_STD)
            else:
                p.add_(torch.randn_like(p) * VECTOR_STD)
    return model


def orpo_numbers(model, batch, nll_response_only):
    ids = torch.tensor(batch["chosen_ids"] + batch["rejected_ids"])
    attn = torch.tensor(batch["chosen_mask"] + batch["rejected_mask"])
    labels = torch.tensor(batch["chosen_labels_mask"] + batch["rejected_labels_mask"])
    n = len(batch["chosen_ids"])
    model.zero_grad(set_to_none=True)
    logits = model.forward_full(ids, attn, None)
    loss, metrics, logps = R.orpo_loss(logits, ids, attn, labels, n, 0.1, nll_response_only)
    loss.backward()
    gn = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters())).item()
    model.zero_grad(set_to_none=True)
    return {"loss": loss.item(), "metrics": {k: v.item() for k, v in metrics.items()},
            "logps_chosen": logps[:n].tolist(), "logps_rejected": logps[n:].tolist(), "grad_norm": gn}


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":  # TorchScript writes set-ordered constants: pin the hash seed
        os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "orpo-core", "src", "test", "resources", "torchscript"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(a.out, exist_ok=True)

    model = fixture_model()
    model.eval()  # no dropout anyway; train/eval does not change the math
    scripted = torch.jit.script(model)
    pt = os.path.join(a.out, "tiny_lm.pt")
    torch.jit.save(scripted, pt)
    R.write_safetensors(os.path.join(a.out, "tiny_lm.safetensors"),
                        {k: p.detach() for k, p in model.named_parameters()})
    loaded = torch.jit.load(pt)

    ex_out = []
    for ids, m in examples():
        it, mt = torch.tensor(ids), torch.tensor(m)
        with torch.no_grad():
            eager = model(it, mt)
            ts = loaded(it, mt)
        diff = (eager - ts).abs().max().item()
        assert diff < 1e-6, diff
        ex_out.append({"input_ids": ids, "attention_mask": m, "logits_shape": list(ts.shape),
                       "logits": r7(ts.tolist()), "eager_vs_torchscript_max_abs_diff": diff})

    pairs, batch = preference_batch()
    pref = {"pairs": pairs, **batch, "lambda": 0.1, "nll_response_only": False, "config": CONFIG,
            "result": orpo_numbers(model, batch, False),
            "result_nll_response_only": orpo_numbers(model, batch, True)}
    # one ORPO training step (clip 1.0, AdamW lr 1e-3 wd 0.01 on all params), then the loss again
    work = fixture_model()
    opt = R.make_optimizer(work, 1e-3)
    ids = torch.tensor(batch["chosen_ids"] + batch["rejected_ids"])
    attn = torch.tensor(batch["chosen_mask"] + batch["rejected_mask"])
    labels = torch.tensor(batch["chosen_labels_mask"] + batch["rejected_labels_mask"])
    loss0, _, _, gn = R.orpo_step(work, opt, ids, attn, labels, len(pairs), 0.1, False)
    with torch.no_grad():
        loss1 = R.orpo_loss(work.forward_full(ids, attn, None), ids, attn, labels, len(pairs), 0.1, False)[0]
    pref["after_one_step"] = {"loss_before": loss0.item(), "grad_norm_before_clip": gn.item(),
                              "loss_after": loss1.item()}

    with open(pt, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    ref = {
        "description": "sipf4j tiny TorchScript causal LM fixture (scripts/make_tiny_torchscript.py)",
        "format": "torchscript", "signature": "forward(input_ids: int64[B,T], attention_mask: int64[B,T]) -> "
                                              "float32[B,T,V]",
        "torch_version": torch.__version__, "seed": SEED, "config": CONFIG,
        "weights": f"torch.manual_seed({SEED}); standard init; then 2-D weights ~ N(0,{MATRIX_STD}) "
                   f"(wte ~ N(0,{WTE_STD})), 1-D params += N(0,{VECTOR_STD}); see tiny_lm.safetensors",
        "bos_id": BOS_ID, "eos_id": EOS_ID, "pad_id": PAD_ID,
        "model_sha256": sha, "model_bytes": os.path.getsize(pt),
        "parameters": [{"name": k, "shape": list(p.shape)} for k, p in model.named_parameters()],
        "param_count": sum(p.numel() for p in model.parameters()),
        "notes": "logits rounded to 7 significant digits; logits at padded positions are included but are not "
                 "meaningful (compare only where attention_mask == 1). Position ids are arange(T) per row.",
        "examples": ex_out,
        "orpo": pref,
    }
    with open(os.path.join(a.out, "tiny_lm_reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print(json.dumps({"model_bytes": ref["model_bytes"], "param_count": ref["param_count"],
                      "orpo_loss": pref["result"]["loss"], "after_one_step": pref["after_one_step"]}))


if __name__ == "__main__":
    main()
