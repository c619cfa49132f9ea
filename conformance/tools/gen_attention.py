#!/usr/bin/env python3
"""Generates cases/attention.json (format loss-conformance/1): reference values for scaled dot-product attention
(issue 14), with the semantics of PyTorch 2.x's F.scaled_dot_product_attention (math path), which PyTorch 1.13
lacks: the reference is

    softmax(query @ key^T * scale + mask, dim=-1) @ value

computed with torch 1.13 in float64 (also for the float32 cases: their inputs are rounded to float32 first, the
expected values are the float64 results rounded to float32). Run from the repository root with the python that has
torch 1.13 (Debian's python3-torch):

    /usr/bin/python3 conformance/tools/gen_attention.py

Op `scaled_dot_product_attention`, inputs `query [.., L, E]`, `key [.., S, E]`, `value [.., S, Ev]` and optionally
`attn_mask` (broadcastable to [.., L, S]); options:

* `mask_kind`: null (no mask), "bool" (attn_mask is a float 0/1 mask, 1 = attend, converted as PyTorch 2.x does:
  0 where true, -inf where false), "float" (an additive mask, differentiable here)
* `is_causal`: true adds -inf where key index j > query index i (PyTorch 2.x's ones(L, S).tril(), top-left aligned)
* `scale`: a number, or null for 1/sqrt(E)

Batch dimensions broadcast. A fully masked row (all -inf) gives NaN (0/0 in the softmax), in the output row and in
the gradients that depend on it, as PyTorch's math path does.

Tolerances: float32 rtol 1e-5 / atol from the gap between torch's float32 computation and the float64 reference
(4x head-room, next 1/2/5 x 10^k from 1e-6), float64 rtol 1e-10 / atol 1e-12.
"""
import json
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "jgrad",
                   "conformance", "cases", "attention.json")
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}
DTYPES = {"float32": torch.float32, "float64": torch.float64}

gen = torch.Generator().manual_seed(1414)


def fmt(v, dtype):
    v = float(v)
    if math.isnan(v):
        return '"nan"'
    if math.isinf(v):
        return '"inf"' if v > 0 else '"-inf"'
    return str(np.float32(v)) if dtype == "float32" else repr(v)


def tjson(t):
    t = t.detach()
    d = "float32" if t.dtype == torch.float32 else "float64"
    data = ",".join(fmt(x, d) for x in t.reshape(-1).tolist())
    return '{"dtype": "%s", "shape": %s, "data": [%s]}' % (d, json.dumps(list(t.shape)), data)


def randn(*shape):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float64)


def mask(*shape, p=0.7):
    return (torch.rand(tuple(shape), generator=gen, dtype=torch.float64) < p).to(torch.float64)


def sdpa(t, kind, causal, scale):
    q, k, v = t["query"], t["key"], t["value"]
    s = (1 / math.sqrt(q.shape[-1])) if scale is None else scale
    a = q @ k.transpose(-2, -1) * s
    if kind == "bool":
        a = a + torch.zeros_like(t["attn_mask"]).masked_fill(t["attn_mask"] == 0, float("-inf"))
    elif kind == "float":
        a = a + t["attn_mask"]
    if causal:
        L, S = a.shape[-2], a.shape[-1]
        keep = torch.ones(L, S, dtype=torch.bool).tril()
        a = a.masked_fill(~keep, float("-inf"))
    return torch.softmax(a, -1) @ v


cases = []
names = set()


def close(a, b, rtol, atol):
    for x, y in zip(a.detach().to(torch.float64).reshape(-1).tolist(), b.detach().to(torch.float64).reshape(-1).tolist()):
        if math.isnan(y):
            if not math.isnan(x):
                return False
        elif math.isinf(y):
            if x != y:
                return False
        elif not abs(x - y) <= atol + rtol * abs(y):
            return False
    return True


def run(fn, inputs, grads_of, dtype, grad_output):
    ts = {}
    for kk, v in inputs.items():
        t = v.to(DTYPES[dtype]).clone()
        if kk in grads_of:
            t.requires_grad_(True)
        ts[kk] = t
    out = fn(ts)
    gs = torch.autograd.grad(out, [ts[kk] for kk in grads_of], grad_output.to(out.dtype), allow_unused=True)
    return ts, out, {kk: (torch.zeros_like(ts[kk]) if g is None else g) for kk, g in zip(grads_of, gs)}


def shp(s):
    return "x".join(str(d) for d in s) if s else "scalar"


def add(variant, inputs, kind=None, causal=False, scale=None, note=None):
    grads_of = ["query", "key", "value"] + (["attn_mask"] if kind == "float" else [])
    fn = lambda t: sdpa(t, kind, causal, scale)
    options = {"mask_kind": kind, "is_causal": causal, "scale": scale}
    for dtype in ("float32", "float64"):
        k = 0
        while "scaled_dot_product_attention/%s/%s/%d" % (variant, dtype, k) in names:
            k += 1
        name = "scaled_dot_product_attention/%s/%s/%d" % (variant, dtype, k)
        names.add(name)
        rounded = {kk: v.to(DTYPES[dtype]).to(torch.float64) for kk, v in inputs.items()}
        with torch.no_grad():
            oshape = fn(rounded).shape
        go = randn(*oshape).to(DTYPES[dtype]).to(torch.float64)
        ts, out64, grads64 = run(fn, rounded, grads_of, "float64", go)
        rtol, atol = TOL[dtype]
        out, grads = out64, grads64
        if dtype == "float32":
            _, out32, grads32 = run(fn, rounded, grads_of, "float32", go)
            steps = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4]
            i = 0
            while not (close(out32, out64, rtol / 4, steps[i] / 4)
                       and all(close(grads32[g], grads64[g], rtol / 4, steps[i] / 4) for g in grads_of)):
                i += 1
            atol = steps[i]
            out, grads = out64.to(torch.float32), {g: grads64[g].to(torch.float32) for g in grads_of}
        cast = lambda t: t.detach().to(DTYPES[dtype])
        lines = ['      "name": %s' % json.dumps(name), '      "op": "scaled_dot_product_attention"', '      "dtype": "%s"' % dtype]
        lines.append('      "inputs": {\n%s\n      }' % ",\n".join('        %s: %s' % (json.dumps(kk), tjson(cast(ts[kk]))) for kk in ts))
        opts = ['"mask_kind": %s' % json.dumps(kind), '"is_causal": %s' % json.dumps(causal),
                '"scale": %s' % ("null" if scale is None else fmt(scale, "float64"))]
        lines.append('      "options": {%s}' % ", ".join(opts))
        lines.append('      "requires_grad": %s' % json.dumps(grads_of))
        lines.append('      "output": %s' % tjson(cast(out)))
        lines.append('      "grad_output": %s' % tjson(cast(go)))
        lines.append('      "grads": {\n%s\n      }' % ",\n".join('        %s: %s' % (json.dumps(g), tjson(cast(grads[g]))) for g in grads_of))
        lines.append('      "tol": {"rtol": %s, "atol": %s}' % (rtol, atol))
        if note:
            lines.append('      "note": %s' % json.dumps(note))
        cases.append("    {\n" + ",\n".join(lines) + "\n    }")


def qkv(qs, ks, vs):
    return {"query": randn(*qs), "key": randn(*ks), "value": randn(*vs)}


# ---------------------------------------------------------------- no mask, shapes and broadcast batch dimensions
for qs, ks, vs in [((4, 3), (5, 3), (5, 2)), ((2, 4, 8), (2, 6, 8), (2, 6, 8)), ((2, 3, 5, 4), (2, 3, 7, 4), (2, 3, 7, 6)),
                   ((2, 3, 5, 4), (3, 7, 4), (2, 1, 7, 2)), ((1, 3, 4, 4), (2, 1, 4, 4), (4, 3)), ((5, 4), (2, 6, 4), (6, 3))]:
    add("nomask/" + shp(qs) + "_" + shp(ks) + "_" + shp(vs), qkv(qs, ks, vs))
add("nomask/scale/2x3x4", qkv((2, 3, 4), (2, 5, 4), (2, 5, 4)), scale=0.3)
add("nomask/large_scores/2x3x4", {k: v * 20 for k, v in qkv((2, 3, 4), (2, 5, 4), (2, 5, 4)).items()})

# ---------------------------------------------------------------- boolean masks (1 = attend, each row keeps one key)
def keep_rows(m):
    m = m.clone()
    m[..., 0] = 1
    return m

for qs, ks, ms in [((4, 3), (5, 3), (4, 5)), ((2, 3, 4, 4), (2, 3, 6, 4), (4, 6)), ((2, 3, 4, 4), (2, 3, 6, 4), (2, 1, 1, 6)),
                   ((2, 3, 4, 4), (2, 3, 6, 4), (2, 3, 4, 6))]:
    t = qkv(qs, ks, ks)
    t["attn_mask"] = keep_rows(mask(*ms)) if ms[-2] != 1 else keep_rows(mask(*ms))
    add("bool/" + shp(qs) + "_mask" + shp(ms), t, kind="bool")

# ---------------------------------------------------------------- additive float masks (differentiable)
for qs, ks, ms in [((4, 3), (5, 3), (4, 5)), ((2, 3, 4, 4), (2, 3, 6, 4), (1, 6)), ((2, 4, 4), (2, 6, 4), (2, 4, 6))]:
    t = qkv(qs, ks, ks)
    t["attn_mask"] = randn(*ms)
    add("float/" + shp(qs) + "_mask" + shp(ms), t, kind="float")
t = qkv((2, 4, 3), (2, 5, 3), (2, 5, 3))
t["attn_mask"] = randn(4, 5).masked_fill(mask(4, 5, p=0.3) != 0, float("-inf"))
t["attn_mask"][:, 1] = 0.5
add("float/partial_neginf/2x4x3", t, kind="float")

# ---------------------------------------------------------------- causal
for qs, ks in [((2, 5, 4), (2, 5, 4)), ((2, 3, 4, 4), (2, 3, 4, 4)), ((3, 4), (6, 4)), ((2, 6, 4), (2, 3, 4))]:
    add("causal/" + shp(qs) + "_" + shp(ks), qkv(qs, ks, ks), causal=True)
add("causal/scale/2x4x4", qkv((2, 4, 4), (2, 4, 4), (2, 4, 4)), causal=True, scale=2.0)

# ---------------------------------------------------------------- edges
t = qkv((2, 3, 4), (2, 5, 4), (2, 5, 4))
m = keep_rows(mask(3, 5))
m[1, :] = 0
t["attn_mask"] = m
add("edge/fully_masked_row/2x3x4", t, kind="bool",
    note="query row 1 has no key to attend to: softmax of an all -inf row is 0/0 = NaN, in the output row and in the "
         "gradients that depend on it (PyTorch's math path)")
add("edge/empty_L/2x0x4", qkv((2, 0, 4), (2, 5, 4), (2, 5, 3)))
add("edge/one_key/2x3x4", qkv((2, 3, 4), (2, 1, 4), (2, 1, 4)))

with open(OUT, "w") as f:
    f.write('{\n  "format": "loss-conformance/1",\n  "reference": "torch 1.13.1 (CPU)",\n  "cases": [\n')
    f.write(",\n".join(cases))
    f.write("\n  ]\n}\n")
print("wrote %d cases to %s" % (len(cases), os.path.normpath(OUT)))
