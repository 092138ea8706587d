#!/usr/bin/python3
"""Builds the tiny Hugging Face model folders of orpo-core's parity tests, and checks folders sipf4j saved.

    /usr/bin/python3 scripts/make_hf_fixtures.py [--out orpo-core/src/test/resources/hf]
    /usr/bin/python3 scripts/make_hf_fixtures.py --check DIR --expect FILE.json [--check DIR2 --expect FILE2.json]

Fixture mode writes one folder per family and variant, each a Hugging Face model folder (config.json with Hugging
Face's field names, model.safetensors or shards with model.safetensors.index.json, tokenizer.json,
tokenizer_config.json, generation_config.json) with random weights, plus reference.json holding what
scripts/hf_reference.py computes on it: per-token log-probs of fixed sequences (unpadded, float32), greedy
continuations (re-reading the whole sequence at each token), TRL's ORPO loss and metrics on two preference pairs,
the gradient of the loss (per parameter, the sum of |gradient|), and the loss after one clipped step of sipf4j's
AdamW (see sipf4j_adamw_step).  The `llama` folder also holds
adamw_step.safetensors, every weight after that step.  Deterministic (fixed seeds, one thread); needs only torch (Debian's python3-torch 1.13).

Check mode loads each DIR strictly (every tensor named and shaped as Hugging Face expects, none unknown, all in
config.json's torch_dtype, shard index consistent), computes the log-probs of FILE's "sequences" and compares them
with FILE's "token_logprobs"; it prints one JSON object and exits 1 if anything differs by more than --tolerance.
"""
import argparse
import copy
import json
import math
import os
import random
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import hf_reference as H  # noqa: E402

R = H.R
SEED = 20250901

# A Llama-style byte-fallback BPE tokenizer: metaspace normaliser, a few merges, <0xNN> byte tokens.
SPECIALS = ["<unk>", "<s>", "</s>", "<pad>", "<|endoftext|>", "<|im_end|>"]
BYTES = ["<0x0A>", "<0xC3>", "<0xA9>"]
CHARS = ["\u2581"] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + [str(d) for d in range(10)] + \
    list(".,?!:=+-*()")
MERGES = [("\u2581", "t"), ("h", "e"), ("\u2581t", "he"), ("i", "n"), ("a", "n"), ("\u2581", "a"), ("e", "r"),
          ("i", "s")]
VOCAB = SPECIALS + BYTES + CHARS + ["".join(m) for m in MERGES]
V = len(VOCAB)
UNK, BOS, EOS, PAD, ENDOFTEXT, IM_END = range(6)
FIRST_PLAIN = len(SPECIALS)

BASE = {
    "vocab_size": V, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64,
    "initializer_range": 0.02, "use_cache": True, "torch_dtype": "float32", "transformers_version": "4.46.0",
}
LLAMA = {**BASE, "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
         "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "rope_scaling": None, "attention_bias": False,
         "attention_dropout": 0.0, "mlp_bias": False, "pretraining_tp": 1, "tie_word_embeddings": True,
         "bos_token_id": BOS, "eos_token_id": EOS}
LLAMA_TOKENS = ({"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>",
                 "pad_token": "<pad>", "unk_token": "<unk>", "model_max_length": 64,
                 "tokenizer_class": "LlamaTokenizer", "clean_up_tokenization_spaces": False},
                {"bos_token_id": BOS, "eos_token_id": [EOS, IM_END], "pad_token_id": PAD})

VARIANTS = {
    # plain llama: tied head, grouped-query attention (4 query heads over 2 key/value heads)
    "llama": (LLAMA, LLAMA_TOKENS, None),
    # llama 3.1 rope scaling (all three wavelength regimes at head_dim 12), untied head, explicit head_dim != 32/4,
    # biases on q, k, v and o
    "llama-llama3": ({**LLAMA, "head_dim": 12, "tie_word_embeddings": False, "attention_bias": True,
                      "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                       "high_freq_factor": 4.0, "original_max_position_embeddings": 32}},
                     LLAMA_TOKENS, None),
    # linear rope scaling (old "type" key), untied head, MLP biases; written as three shards with an index
    "llama-sharded": ({**LLAMA, "tie_word_embeddings": False, "mlp_bias": True,
                       "rope_scaling": {"type": "linear", "factor": 2.0}}, LLAMA_TOKENS, 30000),
    # stored in bfloat16
    "llama-bf16": ({**LLAMA, "tie_word_embeddings": False, "torch_dtype": "bfloat16"}, LLAMA_TOKENS, None),
    # qwen2: q/k/v biases, tied head, no BOS token (Qwen's tokenizer has none), sliding window off
    "qwen2": ({**BASE, "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
               "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": True,
               "use_sliding_window": False, "sliding_window": 64, "max_window_layers": 2, "attention_dropout": 0.0,
               "bos_token_id": ENDOFTEXT, "eos_token_id": ENDOFTEXT},
              ({"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
                "add_prefix_space": False, "model_max_length": 64, "tokenizer_class": "Qwen2Tokenizer"},
               {"bos_token_id": ENDOFTEXT, "eos_token_id": [IM_END, ENDOFTEXT], "pad_token_id": ENDOFTEXT}), None),
    # gemma: multi-query attention, head_dim 16 != 32/4, (1 + w) norms, sqrt(hidden) embedding scale, GELU-tanh
    # through hidden_activation although hidden_act says "gelu", tied head
    "gemma": ({**BASE, "architectures": ["GemmaForCausalLM"], "model_type": "gemma", "num_key_value_heads": 1,
               "head_dim": 16, "hidden_act": "gelu", "hidden_activation": "gelu_pytorch_tanh",
               "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "attention_bias": False, "attention_dropout": 0.0,
               "tie_word_embeddings": True, "bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD},
              ({"add_bos_token": True, "add_eos_token": False,
                "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": False, "normalized": False,
                              "rstrip": False, "single_word": False},
                "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>", "tokenizer_class": "GemmaTokenizer"},
               {"bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD}), None),
    # phi: LayerNorm with bias, parallel attention and MLP, partial rotary (half of each head), biases everywhere,
    # untied head with bias, float32 attention scores
    "phi": ({**BASE, "architectures": ["PhiForCausalLM"], "model_type": "phi", "num_key_value_heads": 4,
             "intermediate_size": 64, "hidden_act": "gelu_new", "layer_norm_eps": 1e-5, "rope_theta": 10000.0,
             "partial_rotary_factor": 0.5, "qk_layernorm": False, "resid_pdrop": 0.0, "embd_pdrop": 0.0,
             "attention_dropout": 0.0, "tie_word_embeddings": False, "bos_token_id": ENDOFTEXT,
             "eos_token_id": ENDOFTEXT},
            ({"add_prefix_space": False, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
              "unk_token": "<|endoftext|>", "model_max_length": 64, "tokenizer_class": "CodeGenTokenizer"},
             {"bos_token_id": ENDOFTEXT, "eos_token_id": ENDOFTEXT}), None),
}


def tokenizer_json() -> dict:
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for i, t in enumerate(SPECIALS)]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                    {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "<s>", "type_id": 1}},
                                    {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [BOS], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(VOCAB)}, "merges": [a + " " + b for a, b in MERGES]},
    }


def discriminative_weights(model, gemma: bool):
    """Weights large enough that a wrong detail moves the log-probs far beyond the tolerance: matrices
    N(0, 0.15), embeddings N(0, 0.25), biases N(0, 0.1), norm gains 1 + N(0, 0.1) (Gemma's N(0, 0.1))."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("embed_tokens.weight"):
                p.normal_(0.0, 0.25)
            elif p.dim() == 2:
                p.normal_(0.0, 0.15)
            elif "norm" in name and name.endswith(".weight"):
                p.copy_((0.0 if gemma else 1.0) + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.1 * torch.randn_like(p))


def rows(rng: random.Random, first: int):
    seqs = [[first] + [rng.randrange(FIRST_PLAIN, V) for _ in range(n - 1)] for n in (9, 5, 12)]
    prompts = [[first] + [rng.randrange(FIRST_PLAIN, V) for _ in range(n - 1)] for n in (4, 7)]
    pairs = []
    for p, c, r in ((4, 4, 3), (5, 3, 5)):
        pairs.append({"prompt": [first] + [rng.randrange(FIRST_PLAIN, V) for _ in range(p - 1)],
                      "chosen": [rng.randrange(FIRST_PLAIN, V) for _ in range(c - 1)] + [EOS],
                      "rejected": [rng.randrange(FIRST_PLAIN, V) for _ in range(r - 1)] + [EOS]})
    return seqs, prompts, pairs


def preference_batch(pairs, pad: int):
    """Chosen rows then rejected rows, right-padded; labels mark response tokens."""
    rs = [(p["prompt"], p["chosen"]) for p in pairs] + [(p["prompt"], p["rejected"]) for p in pairs]
    t = max(len(a) + len(b) for a, b in rs)
    ids, mask, labels = [], [], []
    for prompt, resp in rs:
        n = len(prompt) + len(resp)
        ids.append(prompt + resp + [pad] * (t - n))
        mask.append([1] * n + [0] * (t - n))
        labels.append([0] * len(prompt) + [1] * len(resp) + [0] * (t - n))
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(labels)


def sipf4j_adamw_step(model, lr: float, betas, eps: float, weight_decay: float, max_grad_norm: float):
    """One first step of sipf4j's AdamW (orpo-core's AdamW): clip by global L2 norm, decoupled weight decay, then
    Kingma and Ba's update with the bias corrections folded into the step size and epsilon added to sqrt(v) before
    them, w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps), as TensorFlow computes it. torch.optim.AdamW adds
    epsilon after correcting v, which gives other updates only to gradients below about 1e-6."""
    params = [p for p in model.parameters() if p.requires_grad]  # a LoRA model trains its adapters only
    norm = torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    b1, b2 = betas
    with torch.no_grad():
        for p in params:
            m = (1 - b1) * p.grad
            v = (1 - b2) * p.grad * p.grad
            p.mul_(1 - lr * weight_decay)
            p.sub_(lr * math.sqrt(1 - b2) / (1 - b1) * m / (v.sqrt() + eps))
            p.grad = None
    return norm


def orpo_numbers(model, pairs, pad: int) -> dict:
    ids, attn, labels = preference_batch(pairs, pad)
    out = {}
    for key, response_only in (("prompt_and_response", False), ("response", True)):
        with torch.no_grad():
            loss, metrics, _ = R.orpo_loss(model.forward_full(ids, attn), ids, attn, labels, len(pairs), 0.1,
                                           response_only)
        out[key] = {"loss": loss.item(), "metrics": {k: v.item() for k, v in metrics.items()}}
    grads = copy.deepcopy(model)
    loss = R.orpo_loss(grads.forward_full(ids, attn), ids, attn, labels, len(pairs), 0.1, False)[0]
    loss.backward()
    grad_abs_sum = {k: p.grad.abs().sum().item() for k, p in H.named_weights(grads).items()}
    work = copy.deepcopy(model)
    loss0 = R.orpo_loss(work.forward_full(ids, attn), ids, attn, labels, len(pairs), 0.1, False)[0]
    loss0.backward()
    norm = sipf4j_adamw_step(work, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, max_grad_norm=1.0)
    with torch.no_grad():
        loss1 = R.orpo_loss(work.forward_full(ids, attn), ids, attn, labels, len(pairs), 0.1, False)[0]
    out["adamw_step"] = {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01, "max_grad_norm": 1.0,
                         "nll_scope": "prompt_and_response", "loss_before": loss0.item(),
                         "grad_norm_before_clip": norm.item(), "loss_after": loss1.item(),
                         "grad_abs_sum": grad_abs_sum}
    return out, work


def make(out_dir: str, name: str, config: dict, tokens, shard_bytes, seed: int):
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    torch.manual_seed(seed)
    model = H.CausalLm(H.Config(config))
    discriminative_weights(model, config["model_type"] == "gemma")
    dtype = H.DTYPES[config["torch_dtype"]]
    if dtype != torch.float32:
        model = model.to(dtype).to(torch.float32)  # the reference computes in float32 from the stored weights
    H.save_folder(model.to(dtype), folder, max_shard_bytes=shard_bytes)
    model = H.load_folder(folder, torch.float32)
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(), f, ensure_ascii=False, indent=1)
        f.write("\n")
    for file, content in (("tokenizer_config.json", tokens[0]), ("generation_config.json", tokens[1])):
        with open(os.path.join(folder, file), "w") as f:
            json.dump(content, f, indent=2)
            f.write("\n")
    first = BOS if tokens[0].get("bos_token") == "<s>" or isinstance(tokens[0].get("bos_token"), dict) else ENDOFTEXT
    pad = PAD if tokens[0].get("pad_token") == "<pad>" else ENDOFTEXT
    seqs, prompts, pairs = rows(random.Random(seed), first)
    ref = {
        "description": f"scripts/make_hf_fixtures.py: {name}, random weights, reference by scripts/hf_reference.py",
        "torch_version": torch.__version__, "seed": seed, "model_type": config["model_type"],
        "parameters": sum(p.numel() for p in model.parameters()),
        "sequences": seqs, "token_logprobs": [H.token_logprobs(model, s) for s in seqs],
        "greedy": {"prompts": prompts, "max_new_tokens": 6,
                   "output_ids": [H.greedy_uncached(model, p, 6) for p in prompts]},
        "orpo": {"pad_id": pad, "lambda": 0.1, "pairs": pairs},
    }
    numbers, stepped = orpo_numbers(model, pairs, pad)
    ref["orpo"].update(numbers)
    if dtype != torch.float32:  # the same weights computed in their own type, for information
        low = H.load_folder(folder)
        ref["token_logprobs_" + config["torch_dtype"]] = [H.token_logprobs(low, s) for s in seqs]
    if name == "llama":
        R.write_safetensors(os.path.join(folder, "adamw_step.safetensors"),
                            {k: p.detach() for k, p in H.named_weights(stepped).items()}, {"format": "pt"})
    # cached batched decoding must equal the uncached reference (a self-check of hf_reference.py)
    cached = H.generate_greedy(model, prompts, 6, pad)
    assert cached == ref["greedy"]["output_ids"], (name, cached, ref["greedy"]["output_ids"])
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    return {"folder": name, "bytes": size, "parameters": ref["parameters"]}


# LoRA adapters on three of the folders above, in PEFT's exact layout, with non-zero B (as after training).
LORA_VARIANTS = {
    # every projection of the llama layout
    "llama": ("llama", dict(r=4, alpha=8, targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                                     "down_proj"])),
    # Phi's names (dense, fc1, fc2), a rank and an alpha of their own for two of them
    "phi": ("phi", dict(r=4, alpha=16, targets=["q_proj", "k_proj", "v_proj", "dense", "fc1", "fc2"],
                        ranks={"fc2": 2}, alphas={"dense": 4})),
    # rank-stabilised scaling, the second layer only, on a multi-query model
    "gemma": ("gemma", dict(r=2, alpha=4, targets=["q_proj", "v_proj"], rslora=True, layers=[1])),
}


def make_lora(out_dir: str, hf_dir: str, name: str, base: str, spec: dict, seed: int):
    """An adapter folder (adapter_config.json, adapter_model.safetensors) on hf/BASE with reference.json: the
    adapted per-token log-probs of the base reference's sequences, the same after merging, and TRL's ORPO loss
    before and after one clipped step of sipf4j's AdamW on the adapters alone, whose weights after the step are
    adamw_step.safetensors."""
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    base_dir = os.path.join(hf_dir, base)
    with open(os.path.join(base_dir, "reference.json")) as f:
        base_ref = json.load(f)
    torch.manual_seed(seed)
    model = H.load_folder(base_dir, torch.float32)
    modules = H.add_lora(model, spec["r"], spec["alpha"], spec["targets"], rslora=spec.get("rslora", False),
                         ranks=spec.get("ranks"), alphas=spec.get("alphas"), layers=spec.get("layers"))
    with torch.no_grad():
        for m in H.lora_modules(model).values():
            m.init_peft_default()
            m.lora_B.weight.normal_(0.0, 0.2)  # as if trained: the adapter must move the log-probs
    config = H.adapter_config(spec["r"], spec["alpha"], spec["targets"], "../../hf/" + base,
                              rslora=spec.get("rslora", False), ranks=spec.get("ranks"), alphas=spec.get("alphas"),
                              layers=spec.get("layers"))
    H.save_adapter(model, folder, config)
    again = H.load_folder(base_dir, torch.float32)
    assert H.load_adapter(again, folder) == sorted(modules)
    seqs = base_ref["sequences"]
    adapted = [H.token_logprobs(model, s) for s in seqs]
    assert adapted == [H.token_logprobs(again, s) for s in seqs]  # the written folder reads back
    merged = copy.deepcopy(model)
    H.merge_lora(merged)
    orpo = base_ref["orpo"]
    pairs, pad = orpo["pairs"], orpo["pad_id"]
    ids, attn, labels = preference_batch(pairs, pad)
    work = copy.deepcopy(model)
    loss0 = R.orpo_loss(work.forward_full(ids, attn), ids, attn, labels, len(pairs), 0.1, False)[0]
    loss0.backward()
    norm = sipf4j_adamw_step(work, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, max_grad_norm=1.0)
    with torch.no_grad():
        loss1 = R.orpo_loss(work.forward_full(ids, attn), ids, attn, labels, len(pairs), 0.1, False)[0]
    before, after = model.state_dict(), work.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before if ".lora_" not in k)  # the base did not move
    R.write_safetensors(os.path.join(folder, "adamw_step.safetensors"), H.lora_state_dict(work), {"format": "pt"})
    ref = {
        "description": f"scripts/make_hf_fixtures.py: a LoRA adapter on hf/{base} in PEFT's layout, reference by "
                       "scripts/hf_reference.py", "torch_version": torch.__version__, "seed": seed, "base": base,
        "modules": sorted(modules), "adapter_parameters": sum(t.numel() for t in H.lora_state_dict(model).values()),
        "sequences": seqs, "token_logprobs": adapted,
        "token_logprobs_base": base_ref["token_logprobs"],
        "token_logprobs_merged": [H.token_logprobs(merged, s) for s in seqs],
        "orpo": {"pad_id": pad, "lambda": 0.1, "pairs": pairs, "nll_scope": "prompt_and_response",
                 "lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01, "max_grad_norm": 1.0,
                 "loss_before": loss0.item(), "grad_norm_before_clip": norm.item(), "loss_after": loss1.item()},
    }
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    return {"folder": "lora/" + name, "bytes": size, "adapter_parameters": ref["adapter_parameters"]}


def check(folder: str, expect: str, tolerance: float) -> dict:
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    want = H.DTYPES[config.get("torch_dtype", "float32")]
    stored = H.read_weights(folder)
    wrong = sorted(n for n, t in stored.items() if t.dtype != want)
    model = H.load_folder(folder, torch.float32)
    with open(expect) as f:
        exp = json.load(f)
    diff = 0.0
    for seq, lps in zip(exp["sequences"], exp["token_logprobs"]):
        got = H.token_logprobs(model, seq)
        diff = max([diff] + [abs(a - b) for a, b in zip(got, lps)])
    ok = diff <= tolerance and not wrong
    return {"folder": folder, "ok": ok, "max_abs_diff": diff, "tensors": len(stored),
            "tensors_not_in_torch_dtype": wrong[:5], "torch_dtype": config.get("torch_dtype")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "orpo-core", "src", "test", "resources", "hf"))
    ap.add_argument("--lora-out", default=os.path.join(ROOT, "orpo-core", "src", "test", "resources", "hf-lora"))
    ap.add_argument("--only", choices=("models", "lora"), help="make only the model folders or only the adapters")
    ap.add_argument("--check", action="append", default=[], help="a saved folder to verify")
    ap.add_argument("--expect", action="append", default=[], help="JSON with sequences and token_logprobs")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.check:
        if len(a.check) != len(a.expect):
            ap.error("give one --expect per --check")
        results = [check(d, e, a.tolerance) for d, e in zip(a.check, a.expect)]
        print(json.dumps({"ok": all(r["ok"] for r in results), "results": results}))
        sys.exit(0 if all(r["ok"] for r in results) else 1)
    made = [] if a.only == "lora" else [make(a.out, name, cfg, tokens, shard, SEED + i)
                                       for i, (name, (cfg, tokens, shard)) in enumerate(VARIANTS.items())]
    if a.only != "models":
        made += [make_lora(a.lora_out, a.out, name, base, spec, SEED + 100 + i)
                 for i, (name, (base, spec)) in enumerate(LORA_VARIANTS.items())]
    print(json.dumps({"fixtures": made, "total_bytes": sum(m["bytes"] for m in made)}))


if __name__ == "__main__":
    main()
