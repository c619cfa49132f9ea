#!/usr/bin/env python3
"""Generates cases/cross_entropy_nd.json (format loss-conformance/1): PyTorch 1.13 reference values for
cross_entropy and nll_loss in every input form PyTorch takes (issue 13, losses part 1).

Run from the repository root with the python that has torch 1.13 (Debian's python3-torch):

    /usr/bin/python3 conformance/tools/gen_cross_entropy_nd.py

Every case exists in float32 and float64. Forms (classes in dimension 1, every position a sample):

* the K-dimensional form, K = 1, 2, 3: input [N, C, d1..dk] with class-index targets [N, d1..dk] (int64) or
  probability targets of the input's shape; reduction none ([N, d1..dk]), mean and sum
* options: weight [C] (also negative ones, as PyTorch accepts them), ignore_index (the default -100, a valid
  class, a value beyond int32), label_smoothing
* the unbatched form: input [C] with a probability target [C] (and with a class index, a 0-d target)
* nll_loss on [N, C, d1..dk] log-probabilities
* edge values: a +inf logit (that sample's loss and gradient are NaN), -inf logits, target weights that sum to 0
  under mean (NaN, or +-inf when negative weights cancel), also with label smoothing

Not covered on purpose: a +inf or NaN logit in an ignored sample (jgrad keeps that sample's gradient 0, PyTorch's
log-softmax backward gives NaN there: a documented deviation).

Tolerances: float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 / atol 1e-12. Each float32 case is checked with
4x head-room against a float64 recomputation of the same float32 inputs; where it fails, atol is raised to the
next 1/2/5 x 10^k.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "jgrad",
                   "conformance", "cases", "cross_entropy_nd.json")
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}
DTYPES = {"float32": torch.float32, "float64": torch.float64}

gen = torch.Generator().manual_seed(1314)


def fmt(v, dtype):
    v = float(v)
    if math.isnan(v):
        return '"nan"'
    if math.isinf(v):
        return '"inf"' if v > 0 else '"-inf"'
    return str(np.float32(v)) if dtype == "float32" else repr(v)


def tjson(t):
    t = t.detach()
    if t.dtype == torch.int64:
        d = "int64"
        data = ",".join(str(int(x)) for x in t.reshape(-1).tolist())
    else:
        d = "float32" if t.dtype == torch.float32 else "float64"
        data = ",".join(fmt(x, d) for x in t.reshape(-1).tolist())
    return '{"dtype": "%s", "shape": %s, "data": [%s]}' % (d, json.dumps(list(t.shape)), data)


def randn(*shape, scale=1.0):
    return scale * torch.randn(tuple(shape), generator=gen, dtype=torch.float64)


def rand(*shape):
    return torch.rand(tuple(shape), generator=gen, dtype=torch.float64)


def randint(lo, hi, *shape):
    return torch.randint(lo, hi, shape, generator=gen, dtype=torch.int64)


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


def run(fn, inputs, options, grads_of, dtype, grad_output=None):
    """Output, grad_output and grads of fn over the inputs and tensor options (floating ones cast to dtype)."""
    ts = {k: (v.to(DTYPES[dtype]).clone().requires_grad_(k in grads_of) if v.is_floating_point() else v) for k, v in inputs.items()}
    opts = {k: (v.to(DTYPES[dtype]) if isinstance(v, torch.Tensor) else v) for k, v in options.items()}
    out = fn(ts, opts)
    if grad_output is None:
        grad_output = randn(*out.shape).to(DTYPES[dtype])
    gs = torch.autograd.grad(out, [ts[k] for k in grads_of], grad_output.to(out.dtype), allow_unused=True)
    grads = {k: (torch.zeros_like(ts[k]) if g is None else g) for k, g in zip(grads_of, gs)}
    return ts, opts, out, grad_output, grads


def add(op, variant, inputs, options, fn, grads_of=("input",), note=None):
    grads_of = list(grads_of)
    for dtype in ("float32", "float64"):
        k = 0
        while "%s/%s/%s/%d" % (op, variant, dtype, k) in names:
            k += 1
        name = "%s/%s/%s/%d" % (op, variant, dtype, k)
        names.add(name)
        ts, opts, out, go, grads = run(fn, inputs, options, grads_of, dtype)
        rtol, atol = TOL[dtype]
        if dtype == "float32":
            # float64 recomputation from the same float32 inputs, 4x head-room
            in64 = {kk: (v.detach().to(torch.float64) if v.is_floating_point() else v) for kk, v in ts.items()}
            op64 = {kk: (v.to(torch.float64) if isinstance(v, torch.Tensor) else v) for kk, v in opts.items()}
            _, _, out64, _, grads64 = run(fn, in64, op64, grads_of, "float64", go.to(torch.float64))
            steps = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4]
            i = 0
            while not (close(out, out64, rtol / 4, steps[i] / 4)
                       and all(close(grads[g], grads64[g], rtol / 4, steps[i] / 4) for g in grads_of)):
                i += 1
            atol = steps[i]
        lines = ['      "name": %s' % json.dumps(name), '      "op": %s' % json.dumps(op), '      "dtype": "%s"' % dtype]
        inl = ",\n".join('        %s: %s' % (json.dumps(kk), tjson(ts[kk])) for kk in ts)
        lines.append('      "inputs": {\n%s\n      }' % inl)
        ol = []
        for kk, v in opts.items():
            if isinstance(v, torch.Tensor):
                ol.append("%s: %s" % (json.dumps(kk), tjson(v)))
            elif isinstance(v, float):
                ol.append("%s: %s" % (json.dumps(kk), fmt(v, "float64")))
            else:
                ol.append("%s: %s" % (json.dumps(kk), json.dumps(v)))
        lines.append('      "options": {%s}' % ", ".join(ol))
        lines.append('      "requires_grad": %s' % json.dumps(grads_of))
        lines.append('      "output": %s' % tjson(out))
        lines.append('      "grad_output": %s' % tjson(go.to(out.dtype)))
        gl = ",\n".join('        %s: %s' % (json.dumps(g), tjson(grads[g])) for g in grads_of)
        lines.append('      "grads": {\n%s\n      }' % gl)
        lines.append('      "tol": {"rtol": %s, "atol": %s}' % (rtol, atol))
        if note:
            lines.append('      "note": %s' % json.dumps(note))
        cases.append("    {\n" + ",\n".join(lines) + "\n    }")


def shp(s):
    return "x".join(str(d) for d in s) if s else "scalar"


def ce(t, o):
    return F.cross_entropy(t["input"], t["target"], **o)


def nll(t, o):
    return F.nll_loss(t["input"], t["target"], **o)


def with_ignored(target, value, every=3):
    t = target.clone().reshape(-1)
    t[::every] = value
    return t.reshape(target.shape)


C = 4
SHAPES = [(3, C, 5), (2, C, 3, 4), (2, C, 2, 3, 2)]
W = torch.tensor([0.5, 2.0, 1.0, 0.25], dtype=torch.float64)
WNEG = torch.tensor([-0.5, 2.0, 1.0, -1.25], dtype=torch.float64)

# ---------------------------------------------------------------- K-dim, class indices
for s in SHAPES:
    spatial = (s[0],) + s[2:]
    k = "k%d/%s" % (len(s) - 2, shp(s))
    for red in ("none", "mean", "sum"):
        add("cross_entropy", "indices/%s/plain/%s" % (k, red), {"input": randn(*s), "target": randint(0, C, *spatial)},
            {"reduction": red}, ce)
        add("cross_entropy", "indices/%s/all_options/%s" % (k, red),
            {"input": randn(*s, scale=2.0), "target": with_ignored(randint(0, C, *spatial), -100)},
            {"weight": W, "ignore_index": -100, "reduction": red, "label_smoothing": 0.15}, ce)
        add("cross_entropy", "probs/%s/plain/%s" % (k, red), {"input": randn(*s), "target": F.softmax(randn(*s), 1)},
            {"reduction": red}, ce, grads_of=("input", "target"))
        add("cross_entropy", "probs/%s/weight_smoothing/%s" % (k, red), {"input": randn(*s), "target": rand(*s)},
            {"weight": W, "reduction": red, "label_smoothing": 0.2}, ce, grads_of=("input", "target"))
        add("nll_loss", "%s/weight_ignore/%s" % (k, red),
            {"input": F.log_softmax(randn(*s), 1), "target": with_ignored(randint(0, C, *spatial), 1)},
            {"weight": W, "ignore_index": 1, "reduction": red}, nll)
    add("cross_entropy", "indices/%s/negative_weight/mean" % k, {"input": randn(*s), "target": randint(0, C, *spatial)},
        {"weight": WNEG, "reduction": "mean"}, ce, note="negative class weights are accepted, as in PyTorch")
    add("cross_entropy", "indices/%s/negative_weight_smoothing/sum" % k, {"input": randn(*s), "target": randint(0, C, *spatial)},
        {"weight": WNEG, "reduction": "sum", "label_smoothing": 0.3}, ce)
    add("cross_entropy", "indices/%s/ignore_valid_class/mean" % k,
        {"input": randn(*s), "target": randint(0, C, *spatial)}, {"ignore_index": 2, "reduction": "mean", "label_smoothing": 0.1}, ce)
    add("nll_loss", "%s/negative_weight/mean" % k, {"input": F.log_softmax(randn(*s), 1), "target": randint(0, C, *spatial)},
        {"weight": WNEG, "reduction": "mean"}, nll)

s, spatial = (2, C, 3, 4), (2, 3, 4)
add("cross_entropy", "indices/k2/ignore_beyond_int32/mean", {"input": randn(*s), "target": randint(0, C, *spatial)},
    {"ignore_index": 2 ** 40, "reduction": "mean"}, ce, note="an ignore_index no int target can equal")
add("cross_entropy", "indices/k2/all_ignored/sum", {"input": randn(*s), "target": torch.full(spatial, 3, dtype=torch.int64)},
    {"ignore_index": 3, "reduction": "sum", "label_smoothing": 0.1}, ce)

# ---------------------------------------------------------------- unbatched
for red in ("none", "mean", "sum"):
    add("cross_entropy", "probs/unbatched/%d/%s" % (C, red), {"input": randn(C), "target": F.softmax(randn(C), 0)},
        {"reduction": red, "label_smoothing": 0.1, "weight": W}, ce, grads_of=("input", "target"))
    add("cross_entropy", "indices/unbatched/%d/%s" % (C, red), {"input": randn(C), "target": torch.tensor(2)},
        {"reduction": red, "weight": W}, ce)

# ---------------------------------------------------------------- edge values
inf = float("inf")
x = randn(2, C, 3)
x[0, 1, 0] = inf
x[1, 2, 2] = -inf
x[1, 0, 1] = -inf
t = torch.tensor([[1, 2, 3], [0, 2, 1]])
for red in ("none", "mean", "sum"):
    add("cross_entropy", "indices/edge/inf_logits/%s" % red, {"input": x, "target": t}, {"reduction": red}, ce,
        note="the sample with a +inf logit has a NaN loss and gradient; -inf at the target gives +inf")
    add("cross_entropy", "indices/edge/inf_logits_smoothing/%s" % red, {"input": x, "target": torch.tensor([[1, 2, 3], [1, 3, 3]])},
        {"reduction": red, "label_smoothing": 0.1}, ce)
    add("cross_entropy", "probs/edge/inf_logits/%s" % red, {"input": x, "target": F.softmax(randn(2, C, 3), 1)}, {"reduction": red}, ce)
W0 = torch.tensor([0.0, 0.0, 1.0, 0.0], dtype=torch.float64)
tz = torch.tensor([[0, 1, -100], [3, -100, 0]])
for ls in (0.0, 0.2):
    add("cross_entropy", "indices/edge/zero_target_weights/ls%s/mean" % ls, {"input": randn(2, C, 3), "target": tz},
        {"weight": W0, "reduction": "mean", "label_smoothing": ls}, ce, note="target weights sum to 0: NaN loss and gradient")
    add("cross_entropy", "indices/edge/cancelling_weights/ls%s/mean" % ls, {"input": randn(2, C, 3), "target": torch.tensor([[0, 1, 1], [2, 3, 2]])},
        {"weight": torch.tensor([1.0, -0.5, 0.0, 0.0], dtype=torch.float64), "reduction": "mean", "label_smoothing": ls}, ce,
        note="target weights cancel: the mean divides a non-zero sum by 0")
add("nll_loss", "edge/zero_target_weights/mean", {"input": F.log_softmax(randn(2, C, 3), 1), "target": tz},
    {"weight": W0, "reduction": "mean"}, nll)

with open(OUT, "w") as f:
    f.write('{\n  "format": "loss-conformance/1",\n  "reference": "torch 1.13.1 (CPU)",\n  "cases": [\n')
    f.write(",\n".join(cases))
    f.write("\n  ]\n}\n")
print("wrote %d cases to %s" % (len(cases), os.path.normpath(OUT)))
