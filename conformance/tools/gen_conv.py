#!/usr/bin/env python3
"""Generates cases/conv.json (format loss-conformance/1): PyTorch 1.13 reference values for the convolution and
pooling ops of issue 14.

Run from the repository root with the python that has torch 1.13 (Debian's python3-torch):

    /usr/bin/python3 conformance/tools/gen_conv.py

Every case exists in float32 and float64. Ops, their inputs and options (PyTorch names; sizes as JSON arrays):

* conv2d(input, weight, bias or absent; stride, padding (array or "same"/"valid"), dilation, groups)
* conv1d(input, weight, bias or absent; stride, padding (int or "same"/"valid"), dilation, groups)
* unfold(input; kernel_size, dilation, padding, stride)
* max_pool2d(input; kernel_size, stride, padding, dilation, ceil_mode)
* avg_pool2d(input; kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override or null)
* adaptive_avg_pool2d(input; output_size)

Tolerances: float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 / atol 1e-12. Each float32 case is checked with
4x head-room against a float64 recomputation of the same float32 inputs; where it fails, atol is raised to the
next 1/2/5 x 10^k (the sums of products in the convolutions need this).
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "jgrad",
                   "conformance", "cases", "conv.json")
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}
DTYPES = {"float32": torch.float32, "float64": torch.float64}

gen = torch.Generator().manual_seed(1414)


def fmt(v, dtype):
    if isinstance(v, (int,)) and dtype == "int64":
        return str(v)
    v = float(v)
    if math.isnan(v):
        return '"nan"'
    if math.isinf(v):
        return '"inf"' if v > 0 else '"-inf"'
    if dtype == "float32":
        s = str(np.float32(v))
    else:
        s = repr(v)
    return s


def tjson(t, dtype=None):
    t = t.detach()
    if t.dtype == torch.int64:
        d = "int64"
        data = ",".join(str(int(x)) for x in t.reshape(-1).tolist())
    else:
        d = "float32" if t.dtype == torch.float32 else "float64"
        data = ",".join(fmt(x, d) for x in t.reshape(-1).tolist())
    return '{"dtype": "%s", "shape": %s, "data": [%s]}' % (d, json.dumps(list(t.shape)), data)


def randn(*shape):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float64)


def mask(*shape, p=0.5):
    return (torch.rand(tuple(shape), generator=gen, dtype=torch.float64) < p).to(torch.float64)


def randint(lo, hi, *shape):
    return torch.randint(lo, hi, shape, generator=gen, dtype=torch.int64)


cases = []
names = set()


def close(a, b, rtol, atol):
    a = a.detach().to(torch.float64).reshape(-1)
    b = b.detach().to(torch.float64).reshape(-1)
    for x, y in zip(a.tolist(), b.tolist()):
        if math.isnan(y):
            if not math.isnan(x):
                return False
        elif math.isinf(y):
            if x != y:
                return False
        elif not abs(x - y) <= atol + rtol * abs(y):
            return False
    return True


def run(fn, inputs, grads_of, dtype, grad_output=None):
    """Output, grad_output and grads of fn over the inputs (floating ones cast to dtype)."""
    ts = {}
    for k, v in inputs.items():
        if v.is_floating_point():
            t = v.to(DTYPES[dtype]).clone()
            if k in grads_of:
                t.requires_grad_(True)
            ts[k] = t
        else:
            ts[k] = v
    out = fn(ts)
    if grad_output is None:
        grad_output = randn(*out.shape).to(DTYPES[dtype])
    grads = {}
    if grads_of:
        gs = torch.autograd.grad(out, [ts[k] for k in grads_of], grad_output.to(out.dtype), allow_unused=True)
        for k, g in zip(grads_of, gs):
            grads[k] = torch.zeros_like(ts[k]) if g is None else g
    return ts, out, grad_output, grads


def add(op, variant, inputs, options, grads_of, fn, note=None):
    for dtype in ("float32", "float64"):
        k = 0
        while "%s/%s/%s/%d" % (op, variant, dtype, k) in names:
            k += 1
        name = "%s/%s/%s/%d" % (op, variant, dtype, k)
        names.add(name)
        ts, out, go, grads = run(fn, inputs, grads_of, dtype)
        rtol, atol = TOL[dtype]
        if dtype == "float32":
            # float64 recomputation from the same float32 inputs, 4x head-room
            inputs64 = {kk: (ts[kk].detach().to(torch.float64) if ts[kk].is_floating_point() else ts[kk]) for kk in ts}
            _, out64, _, grads64 = run(fn, inputs64, grads_of, "float64", go.to(torch.float64))
            steps = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4]
            i = 0
            while not (close(out, out64, rtol / 4, steps[i] / 4)
                       and all(close(grads[g], grads64[g], rtol / 4, steps[i] / 4) for g in grads_of)):
                i += 1
            atol = steps[i]
        lines = []
        lines.append('      "name": %s' % json.dumps(name))
        lines.append('      "op": %s' % json.dumps(op))
        lines.append('      "dtype": "%s"' % dtype)
        inl = ",\n".join('        %s: %s' % (json.dumps(kk), tjson(ts[kk])) for kk in ts)
        lines.append('      "inputs": {\n%s\n      }' % inl)
        opts = []
        for kk, v in options.items():
            if isinstance(v, float):
                opts.append("%s: %s" % (json.dumps(kk), fmt(v, "float64")))
            else:
                opts.append("%s: %s" % (json.dumps(kk), json.dumps(v)))
        lines.append('      "options": {%s}' % ", ".join(opts))
        lines.append('      "requires_grad": %s' % json.dumps(grads_of))
        lines.append('      "output": %s' % tjson(out))
        lines.append('      "grad_output": %s' % tjson(go.to(out.dtype)))
        gl = ",\n".join('        %s: %s' % (json.dumps(g), tjson(grads[g])) for g in grads_of)
        lines.append('      "grads": {%s}' % (("\n" + gl + "\n      ") if gl else ""))
        lines.append('      "tol": {"rtol": %s, "atol": %s}' % (rtol, atol))
        if note:
            lines.append('      "note": %s' % json.dumps(note))
        cases.append("    {\n" + ",\n".join(lines) + "\n    }")


def shp(s):
    return "x".join(str(d) for d in s) if s else "scalar"


# ---------------------------------------------------------------- conv2d
for xs, o, k, s, p, d, g, bias in [
        ((2, 3, 6, 5), 4, (3, 3), [1, 1], [0, 0], [1, 1], 1, True),
        ((2, 2, 7, 6), 3, (3, 2), [2, 1], [1, 0], [1, 1], 1, True),
        ((1, 2, 8, 7), 2, (2, 3), [1, 2], [1, 1], [2, 1], 1, False),
        ((2, 4, 5, 5), 6, (3, 3), [1, 1], [1, 1], [1, 1], 2, True),
        ((2, 3, 6, 6), 3, (3, 3), [2, 2], [1, 1], [1, 1], 3, True),
        ((2, 4, 3, 4), 2, (1, 1), [1, 1], [0, 0], [1, 1], 1, True),
        ((4, 6, 4), 4, (2, 2), [1, 1], [1, 1], [1, 1], 2, True),
        ((0, 2, 4, 4), 3, (3, 3), [1, 1], [0, 0], [1, 1], 1, True),
        ((2, 2, 5, 6), 3, (4, 3), [1, 1], "same", [1, 2], 1, True),
        ((1, 2, 5, 5), 2, (3, 3), [1, 1], "valid", [1, 1], 1, False)]:
    cin = xs[-3]
    ins = {"input": randn(*xs), "weight": randn(o, cin // g, *k)}
    if bias:
        ins["bias"] = randn(o)
    add("conv2d", "random/" + shp(xs) + "_" + shp((o, cin // g) + k) + ("/bias" if bias else ""), ins,
        {"stride": s, "padding": p, "dilation": d, "groups": g}, list(ins),
        lambda t, s=s, p=p, d=d, g=g: F.conv2d(t["input"], t["weight"], t.get("bias"), s, p, d, g))
x = randn(1, 1, 4, 4)
x[0, 0, 0, 0] = float("nan")
x[0, 0, 3, 3] = float("inf")
add("conv2d", "edge/nonfinite/1x1x4x4", {"input": x, "weight": randn(2, 1, 2, 2)},
    {"stride": [1, 1], "padding": [0, 0], "dilation": [1, 1], "groups": 1}, ["weight"],
    lambda t: F.conv2d(t["input"], t["weight"]))

# ---------------------------------------------------------------- conv1d
for xs, o, k, s, p, d, g, bias in [
        ((2, 3, 9), 4, 3, 1, 0, 1, 1, True),
        ((2, 4, 10), 6, 3, 2, 1, 2, 2, True),
        ((3, 8), 2, 2, 1, 1, 1, 1, False),
        ((2, 2, 7), 3, 4, 1, "same", 1, 1, True),
        ((2, 3, 7), 3, 3, 1, "same", 2, 3, False)]:
    cin = xs[-2]
    ins = {"input": randn(*xs), "weight": randn(o, cin // g, k)}
    if bias:
        ins["bias"] = randn(o)
    add("conv1d", "random/" + shp(xs) + "_" + shp((o, cin // g, k)) + ("/bias" if bias else ""), ins,
        {"stride": s, "padding": p, "dilation": d, "groups": g}, list(ins),
        lambda t, s=s, p=p, d=d, g=g: F.conv1d(t["input"], t["weight"], t.get("bias"), s, p, d, g))

# ---------------------------------------------------------------- unfold
for xs, k, d, p, s in [((2, 3, 5, 4), [2, 2], [1, 1], [0, 0], [1, 1]), ((1, 2, 6, 7), [3, 2], [2, 1], [1, 1], [2, 3]),
                       ((2, 5, 5), [3, 3], [1, 1], [1, 1], [1, 1])]:
    add("unfold", "random/" + shp(xs), {"input": randn(*xs)}, {"kernel_size": k, "dilation": d, "padding": p, "stride": s},
        ["input"], lambda t, k=k, d=d, p=p, s=s: F.unfold(t["input"], k, d, p, s))

# ---------------------------------------------------------------- max_pool2d
for xs, k, s, p, d, c in [((2, 3, 6, 5), [2, 2], [2, 2], [0, 0], [1, 1], False),
                          ((1, 2, 7, 7), [3, 3], [2, 2], [1, 1], [1, 1], True),
                          ((1, 2, 8, 6), [3, 2], [1, 2], [1, 1], [2, 1], False),
                          ((2, 5, 5), [2, 2], [2, 2], [1, 0], [1, 1], True),
                          ((0, 2, 4, 4), [2, 2], [2, 2], [0, 0], [1, 1], False)]:
    add("max_pool2d", "random/" + shp(xs) + ("/ceil" if c else ""), {"input": randn(*xs)},
        {"kernel_size": k, "stride": s, "padding": p, "dilation": d, "ceil_mode": c}, ["input"],
        lambda t, k=k, s=s, p=p, d=d, c=c: F.max_pool2d(t["input"], k, s, p, d, c))
ties = torch.tensor([[[[1.0, 3.0, 3.0, 0.0], [2.0, 3.0, float("nan"), 1.0], [float("-inf"), float("-inf"), 5.0, 5.0],
                       [float("-inf"), float("-inf"), 5.0, float("inf")]]]], dtype=torch.float64)
add("max_pool2d", "edge/ties_nonfinite/1x1x4x4", {"input": ties},
    {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1], "ceil_mode": False}, ["input"],
    lambda t: F.max_pool2d(t["input"], 2, 2))
add("max_pool2d", "edge/overlapping_ties/1x1x4x4", {"input": ties},
    {"kernel_size": [2, 2], "stride": [1, 1], "padding": [1, 1], "dilation": [1, 1], "ceil_mode": True}, ["input"],
    lambda t: F.max_pool2d(t["input"], 2, 1, 1, 1, True))

# ---------------------------------------------------------------- avg_pool2d
for xs, k, s, p, c, cip, div in [((2, 3, 6, 5), [2, 2], [2, 2], [0, 0], False, True, None),
                                 ((1, 2, 7, 7), [3, 3], [2, 2], [1, 1], True, True, None),
                                 ((1, 2, 7, 7), [3, 3], [2, 2], [1, 1], True, False, None),
                                 ((1, 2, 6, 5), [3, 2], [2, 1], [1, 1], False, False, None),
                                 ((2, 5, 5), [2, 2], [2, 2], [1, 1], True, True, 3),
                                 ((1, 2, 5, 6), [2, 3], [3, 2], [0, 1], True, False, None)]:
    add("avg_pool2d", "random/" + shp(xs) + ("/ceil" if c else "") + ("/count_include_pad" if cip else "")
        + ("" if div is None else "/divisor"), {"input": randn(*xs)},
        {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": c, "count_include_pad": cip, "divisor_override": div},
        ["input"], lambda t, k=k, s=s, p=p, c=c, cip=cip, div=div: F.avg_pool2d(t["input"], k, s, p, c, cip, div))
add("avg_pool2d", "edge/nonfinite/1x1x4x4", {"input": ties},
    {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0], "ceil_mode": False, "count_include_pad": True,
     "divisor_override": None}, ["input"], lambda t: F.avg_pool2d(t["input"], 2, 2))

# ---------------------------------------------------------------- adaptive_avg_pool2d
for xs, o in [((2, 3, 6, 5), [2, 2]), ((1, 2, 7, 5), [3, 4]), ((2, 4, 4), [5, 3]), ((1, 2, 5, 5), [1, 1]),
              ((0, 2, 4, 4), [2, 2])]:
    add("adaptive_avg_pool2d", "random/" + shp(xs) + "/" + shp(o), {"input": randn(*xs)}, {"output_size": o}, ["input"],
        lambda t, o=o: F.adaptive_avg_pool2d(t["input"], o))

with open(OUT, "w") as f:
    f.write('{\n  "format": "loss-conformance/1",\n  "reference": "torch 1.13.1 (CPU)",\n  "cases": [\n')
    f.write(",\n".join(cases))
    f.write("\n  ]\n}\n")
print("wrote %d cases to %s" % (len(cases), os.path.normpath(OUT)))
