#!/usr/bin/env python3
"""Plain PyTorch (eager) running the algorithm Plateau runs, to measure Plateau against.

GPT-2 small's shape (12 blocks, width 768, 12 heads, vocabulary 50257) with random weights, a
10-token prompt, the perturbation at blocks.1.hook_resid_pre, 101 steps, L2 at the last block's
output and KL of the next-token distribution:

  single    one sweep: the prompt run once with its keys and values kept, then the 101 points of
            the last position as one batch through blocks 1..11 (what `plateau bench` calls
            sweep_seconds: prefix + batch)
  batched   a base's 21 sweeps as one batch of 2121 last positions (bench: batched_sweep_seconds)
  authors   the authors' pipeline: 101 whole prompts as one batch, every activation kept (as
            TransformerLens' run_with_cache) and log-probs at every position

Run with Debian's python3-torch:  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 pytorch_same_algorithm.py
Prints one JSON object: medians in seconds, and the rate of a plain 1024x1024 matrix multiply.
"""
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(1234)
L, H, D, V, T = 12, 12, 768, 50257, 10
DH = D // H
HOOK = 1


def block_weights():
    s = 0.02
    return {
        "ln1_w": torch.ones(D), "ln1_b": torch.zeros(D),
        "attn_w": torch.randn(3 * D, D) * s, "attn_b": torch.zeros(3 * D),
        "proj_w": torch.randn(D, D) * s, "proj_b": torch.zeros(D),
        "ln2_w": torch.ones(D), "ln2_b": torch.zeros(D),
        "fc_w": torch.randn(4 * D, D) * s, "fc_b": torch.zeros(4 * D),
        "out_w": torch.randn(D, 4 * D) * s, "out_b": torch.zeros(D),
    }


W = [block_weights() for _ in range(L)]
WTE = torch.randn(V, D) * 0.1
WPE = torch.randn(1024, D) * 0.01
LNF_W, LNF_B = torch.ones(D), torch.zeros(D)


def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def mlp(b, x):
    h = F.layer_norm(x, (D,), b["ln2_w"], b["ln2_b"], 1e-5)
    return x + F.linear(gelu_new(F.linear(h, b["fc_w"], b["fc_b"])), b["out_w"], b["out_b"])


def block_whole(b, x, cache=None):
    """x [B, T, D] -> [B, T, D]; keys and values [B, H, T, DH]."""
    B_, T_, _ = x.shape
    q, k, v = F.linear(F.layer_norm(x, (D,), b["ln1_w"], b["ln1_b"], 1e-5), b["attn_w"], b["attn_b"]).split(D, 2)
    q, k, v = (t.view(B_, T_, H, DH).transpose(1, 2) for t in (q, k, v))
    att = (q @ k.transpose(-1, -2)) / math.sqrt(DH)
    att = att.masked_fill(torch.triu(torch.ones(T_, T_, dtype=torch.bool), 1), float("-inf")).softmax(-1)
    z = (att @ v).transpose(1, 2).reshape(B_, T_, D)
    mid = x + F.linear(z, b["proj_w"], b["proj_b"])
    out = mlp(b, mid)
    if cache is not None:
        cache += [q, k, v, att, z, mid, out]
    return out, k, v


def block_last(b, x, k_prefix, v_prefix):
    """x [B, D] for the last position, attending to the cached earlier positions [H, P, DH]."""
    B_ = x.shape[0]
    q, k, v = F.linear(F.layer_norm(x, (D,), b["ln1_w"], b["ln1_b"], 1e-5), b["attn_w"], b["attn_b"]).split(D, 1)
    q, k, v = (t.view(B_, H, DH).transpose(0, 1) for t in (q, k, v))  # [H, B, DH]
    scores = torch.cat([q @ k_prefix.transpose(1, 2), (q * k).sum(-1, keepdim=True)], 2) / math.sqrt(DH)
    p = scores.softmax(-1)
    z = p[:, :, :-1] @ v_prefix + p[:, :, -1:] * v
    mid = x + F.linear(z.transpose(0, 1).reshape(B_, D), b["proj_w"], b["proj_b"])
    return mlp(b, mid)


def embed(tokens):
    return WTE[tokens] + WPE[: tokens.shape[-1]]


def prefill(tokens):
    x = embed(tokens)[None]
    for i in range(HOOK):
        x, _, _ = block_whole(W[i], x)
    base = x[0, -1].clone()
    kv = []
    x = x[:, :-1]
    for i in range(HOOK, L):
        x, k, v = block_whole(W[i], x)
        kv.append((k[0], v[0]))
    return base, kv


def sweep_rows(base, target, rows_per_sweep, sweeps):
    unit = (target - base) / (target - base).norm()
    n = torch.arange(rows_per_sweep, dtype=torch.float32)[:, None]
    path = base + 0.5 * n * unit
    return path.repeat(sweeps, 1)


def readout(x, rows_per_sweep):
    """L2 against each sweep's first row at the read point, and KL(p0 || pn) from log-probs."""
    lp = F.linear(F.layer_norm(x, (D,), LNF_W, LNF_B, 1e-5), WTE).log_softmax(-1)
    x = x.view(-1, rows_per_sweep, D)
    lp = lp.view(-1, rows_per_sweep, V)
    l2 = (x - x[:, :1]).norm(dim=-1)
    p0 = lp[:, :1].exp()
    kl = (p0 * (lp[:, :1] - lp)).sum(-1)
    return l2, kl


def cached_sweeps(tokens, target, sweeps):
    base, kv = prefill(tokens)
    x = sweep_rows(base, target, 101, sweeps)
    for i in range(HOOK, L):
        x = block_last(W[i], x, *kv[i - HOOK])
    return readout(x, 101)


def authors_path(tokens, target):
    base, _ = prefill(tokens)
    path = sweep_rows(base, target, 101, 1)
    x = embed(tokens)[None].repeat(101, 1, 1)
    cache = []
    for i in range(L):
        if i == HOOK:
            x = torch.cat([x[:, :-1], path[:, None]], 1)
        cache.append(x)
        x, _, _ = block_whole(W[i], x, cache)
    lp = F.linear(F.layer_norm(x, (D,), LNF_W, LNF_B, 1e-5), WTE).log_softmax(-1)  # every position
    cache.append(lp)
    return readout(x[:, -1], 101)


def timed(f, reps):
    f()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def matmul_gflops():
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    return 2 * 1024 ** 3 / timed(lambda: a @ b, 9) / 1e9


with torch.inference_mode():
    tokens = torch.randint(0, V - 1, (T,))
    target = torch.randn(D) * 3
    single = timed(lambda: cached_sweeps(tokens, target, 1), 7)
    batched = timed(lambda: cached_sweeps(tokens, target, 21), 3) / 21
    authors = timed(lambda: authors_path(tokens, target), 3)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "sweep_seconds": round(single, 4),
        "batched_sweep_seconds": round(batched, 4),
        "authors_path_seconds": round(authors, 3),
        "matmul_gflops": round(matmul_gflops(), 1),
    }, indent=2))
