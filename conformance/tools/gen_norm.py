#!/usr/bin/env python3
"""Generates cases/norm.json (format loss-conformance/1): PyTorch 1.13 reference values for the normalization ops
of issue 14.

Run from anywhere with the python that has torch 1.13 (Debian's python3-torch):

    /usr/bin/python3 conformance/tools/gen_norm.py

Every case exists in float32 and float64. Ops, inputs and options (PyTorch names):

* layer_norm(input, normalized_shape, weight, bias, eps) -- F.layer_norm
* group_norm(input, num_groups, weight, bias, eps) -- F.group_norm
* batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps) -- F.batch_norm; the running
  statistics are inputs without gradient. Option "result": "output" (the normalised tensor, with gradients),
  "running_mean" or "running_var" (the running statistic after the call, updated in place in training; no
  gradients, grad_output unused)
* rms_norm(input, normalized_shape, weight, eps or null = finfo(dtype).eps) -- torch 2.4's F.rms_norm; 1.13 has
  none, so the reference is the formula x * rsqrt(mean(x^2) + eps) * weight evaluated in float64 (also for the
  float32 cases, from their float32 inputs) and rounded to the case's dtype

Absent weight / bias are simply not among the inputs. Tolerances: float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 /
atol 1e-12; each float32 case is checked with 4x head-room against a float64 recomputation from the same float32
inputs, and where that fails atol is raised to the next 1/2/5 x 10^k.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "jgrad",
                   "conformance", "cases", "norm.json")
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}
TORCH = {"float32": torch.float32, "float64": torch.float64}
ATOLS = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2]

rng = torch.Generator().manual_seed(1414)


def number(v, dtype):
    v = float(v)
    if math.isnan(v):
        return '"nan"'
    if math.isinf(v):
        return '"inf"' if v > 0 else '"-inf"'
    return str(np.float32(v)) if dtype == "float32" else repr(v)


def encode(t):
    t = t.detach()
    d = "float32" if t.dtype == torch.float32 else "float64"
    return '{"dtype": "%s", "shape": %s, "data": [%s]}' % (
        d, json.dumps(list(t.shape)), ",".join(number(v, d) for v in t.reshape(-1).tolist()))


def within(got, ref, rtol, atol):
    for a, b in zip(got.detach().double().reshape(-1).tolist(), ref.detach().double().reshape(-1).tolist()):
        if math.isnan(b):
            if not math.isnan(a):
                return False
        elif math.isinf(b):
            if a != b:
                return False
        elif not abs(a - b) <= atol + rtol * abs(b):
            return False
    return True


def evaluate(fn, inputs, grad_names, dtype, go=None):
    """(tensors at dtype, result, grad_output, grads); fn(tensors) returns the result tensor."""
    ts = {}
    for k, v in inputs.items():
        t = v.to(TORCH[dtype]).clone()
        if k in grad_names:
            t.requires_grad_(True)
        ts[k] = t
    out = fn(ts)
    if go is None:
        go = torch.randn(tuple(out.shape), generator=rng, dtype=torch.float64)
    go = go.to(out.dtype)
    grads = {}
    if grad_names:
        gs = torch.autograd.grad(out, [ts[k] for k in grad_names], go)
        grads = dict(zip(grad_names, gs))
    return ts, out, go, grads


cases = []
names = set()


def case(op, variant, inputs, options, grad_names, fn, note=None):
    for dtype in ("float32", "float64"):
        k = 0
        while "%s/%s/%s/%d" % (op, variant, dtype, k) in names:
            k += 1
        name = "%s/%s/%s/%d" % (op, variant, dtype, k)
        names.add(name)
        ts, out, go, grads = evaluate(fn, inputs, grad_names, dtype)
        rtol, atol = TOL[dtype]
        if dtype == "float32":
            ins64 = {kk: v.detach().double() for kk, v in ts.items()}
            _, out64, _, grads64 = evaluate(fn, ins64, grad_names, "float64", go.double())
            i = 0
            while not (within(out, out64, rtol / 4, ATOLS[i] / 4)
                       and all(within(grads[g], grads64[g], rtol / 4, ATOLS[i] / 4) for g in grad_names)):
                i += 1
            atol = ATOLS[i]
        opts = ", ".join("%s: %s" % (json.dumps(kk), number(v, "float64") if isinstance(v, float) else json.dumps(v))
                         for kk, v in options.items())
        body = [
            '"name": %s' % json.dumps(name),
            '"op": %s' % json.dumps(op),
            '"dtype": "%s"' % dtype,
            '"inputs": {\n%s\n      }' % ",\n".join('        %s: %s' % (json.dumps(kk), encode(v)) for kk, v in ts.items()),
            '"options": {%s}' % opts,
            '"requires_grad": %s' % json.dumps(grad_names),
            '"output": %s' % encode(out),
            '"grad_output": %s' % encode(go),
            '"grads": {%s}' % "".join("\n        %s: %s%s" % (json.dumps(g), encode(grads[g]), "," if j + 1 < len(grad_names) else "\n      ")
                                      for j, g in enumerate(grad_names)),
            '"tol": {"rtol": %s, "atol": %s}' % (rtol, atol),
        ]
        if note:
            body.append('"note": %s' % json.dumps(note))
        cases.append("    {\n" + ",\n".join("      " + b for b in body) + "\n    }")


def randn(*shape, scale=1.0, shift=0.0):
    return torch.randn(tuple(shape), generator=rng, dtype=torch.float64) * scale + shift


def sx(s):
    return "x".join(str(d) for d in s)


def affine_inputs(x, shape, weight, bias):
    ins = {"input": x}
    if weight:
        ins["weight"] = randn(*shape)
    if bias:
        ins["bias"] = randn(*shape)
    return ins


# ---------------------------------------------------------------- layer_norm
for s, ns, w, b in [((2, 3, 4), [4], True, True), ((2, 3, 4), [3, 4], True, True), ((5, 8), [8], False, False),
                    ((3, 6), [6], True, False), ((3, 6), [6], False, True), ((2, 2, 3, 4), [2, 3, 4], True, True),
                    ((7,), [7], True, True), ((1, 1), [1], True, True), ((0, 4), [4], True, True), ((4, 64), [64], True, True)]:
    ins = affine_inputs(randn(*s), ns, w, b)
    case("layer_norm", "random/%s/%s%s" % (sx(s), sx(ns), "" if w and b else "/w%d_b%d" % (w, b)), ins,
         {"normalized_shape": ns, "eps": 1e-5}, list(ins),
         lambda t, ns=ns: F.layer_norm(t["input"], ns, t.get("weight"), t.get("bias"), 1e-5))
for kind, x in [("constant", torch.full((2, 5), 3.25, dtype=torch.float64)),
                ("offset_100", randn(3, 16, shift=100.0)),
                ("tiny_scale", randn(3, 16, scale=1e-4)),
                ("nan_row", torch.tensor([[1.0, float("nan"), 2.0, 0.5], [1.0, 2.0, 3.0, 4.0]], dtype=torch.float64))]:
    ins = affine_inputs(x, [x.shape[-1]], True, True)
    case("layer_norm", "edge/%s/%s" % (kind, sx(x.shape)), ins, {"normalized_shape": [x.shape[-1]], "eps": 1e-5}, list(ins),
         lambda t, n=x.shape[-1]: F.layer_norm(t["input"], [n], t["weight"], t["bias"], 1e-5),
         note="a constant row has variance 0: output = bias" if kind == "constant" else None)
case("layer_norm", "eps/0.1/3x5", affine_inputs(randn(3, 5), [5], True, True), {"normalized_shape": [5], "eps": 0.1},
     ["input", "weight", "bias"], lambda t: F.layer_norm(t["input"], [5], t["weight"], t["bias"], 0.1))

# ---------------------------------------------------------------- group_norm
for s, g, w, b in [((2, 6, 5), 3, True, True), ((2, 6, 5), 1, True, True), ((2, 6, 5), 6, True, True), ((3, 4), 2, True, True),
                   ((2, 4, 3, 3), 2, True, True), ((2, 4, 3), 2, False, False), ((1, 4, 2, 2), 4, True, False), ((0, 4, 2), 2, True, True)]:
    ins = affine_inputs(randn(*s), [s[1]], w, b)
    case("group_norm", "random/%s/g%d%s" % (sx(s), g, "" if w and b else "/w%d_b%d" % (w, b)), ins, {"num_groups": g, "eps": 1e-5},
         list(ins), lambda t, g=g: F.group_norm(t["input"], g, t.get("weight"), t.get("bias"), 1e-5))
x = torch.ones(2, 4, 3, dtype=torch.float64)
x[1] = -2.5
case("group_norm", "edge/constant/2x4x3", affine_inputs(x, [4], True, True), {"num_groups": 2, "eps": 1e-5},
     ["input", "weight", "bias"], lambda t: F.group_norm(t["input"], 2, t["weight"], t["bias"], 1e-5),
     note="constant groups have variance 0: output = bias")


# ---------------------------------------------------------------- batch_norm
def batch_norm(result, training, momentum, eps):
    def fn(t):
        rm = t.get("running_mean")
        rv = t.get("running_var")
        rm = None if rm is None else rm.detach().clone()
        rv = None if rv is None else rv.detach().clone()
        y = F.batch_norm(t["input"], rm, rv, t.get("weight"), t.get("bias"), training, momentum, eps)
        return y if result == "output" else (rm if result == "running_mean" else rv)
    return fn


for s, training, running, w, b, momentum in [
        ((5, 3), True, True, True, True, 0.1), ((4, 3, 5), True, True, True, True, 0.1), ((2, 3, 2, 2), True, True, True, True, 0.3),
        ((4, 3), True, False, True, True, 0.1), ((3, 2, 4), True, True, False, False, 0.1), ((2, 3, 3), True, True, True, False, 1.0),
        ((2, 1), True, True, True, True, 0.0),
        ((5, 3), False, True, True, True, 0.1), ((2, 3, 2, 2), False, True, True, True, 0.1), ((3, 2, 4), False, True, False, False, 0.1),
        ((0, 3), False, True, True, True, 0.1)]:
    c = s[1]
    ins = affine_inputs(randn(*s, scale=2.0, shift=0.5), [c], w, b)
    if running:
        ins["running_mean"] = randn(c, scale=0.5)
        ins["running_var"] = randn(c).abs() + 0.5
    grad_names = [k for k in ins if k in ("input", "weight", "bias")]
    variant = "%s/%s%s%s/m%s" % ("train" if training else "eval", sx(s), "" if running else "/no_running",
                                 "" if w and b else "/w%d_b%d" % (w, b), momentum)
    opts = {"training": training, "momentum": momentum, "eps": 1e-5}
    case("batch_norm", variant, ins, dict(opts, result="output"), grad_names, batch_norm("output", training, momentum, 1e-5))
    if running and training:
        for r in ("running_mean", "running_var"):
            case("batch_norm", variant + "/" + r, ins, dict(opts, result=r), [], batch_norm(r, training, momentum, 1e-5),
                 note="the running statistic after the call (unbiased batch variance for running_var)")
x = torch.tensor([[1.0, 2.0], [1.0, -3.0], [1.0, 0.5]], dtype=torch.float64)
ins = {"input": x, "weight": randn(2), "bias": randn(2), "running_mean": torch.zeros(2, dtype=torch.float64),
       "running_var": torch.ones(2, dtype=torch.float64)}
case("batch_norm", "edge/constant_channel/train/3x2", ins, {"training": True, "momentum": 0.1, "eps": 1e-5, "result": "output"},
     ["input", "weight", "bias"], batch_norm("output", True, 0.1, 1e-5), note="channel 0 is constant: variance 0, output = bias")


# ---------------------------------------------------------------- rms_norm (formula in float64)
def rms_norm(ns, eps):
    def fn(t):
        x = t["input"]
        e = torch.finfo(x.dtype).eps if eps is None else eps
        x64 = x.double()
        dims = tuple(range(x.dim() - len(ns), x.dim()))
        y = x64 * torch.rsqrt(x64.pow(2).mean(dims, keepdim=True) + e)
        if "weight" in t:
            y = y * t["weight"].double()
        return y.to(x.dtype)
    return fn


for s, ns, w, eps in [((2, 3, 4), [4], True, 1e-6), ((2, 3, 4), [3, 4], True, 1e-5), ((5, 8), [8], False, None),
                      ((3, 6), [6], True, None), ((4, 64), [64], True, 1e-6), ((0, 4), [4], True, 1e-6)]:
    ins = affine_inputs(randn(*s), ns, w, False)
    case("rms_norm", "random/%s/%s%s" % (sx(s), sx(ns), "" if w else "/no_weight"), ins, {"normalized_shape": ns, "eps": eps},
         list(ins), rms_norm(ns, eps))
case("rms_norm", "edge/zeros/2x3", {"input": torch.zeros(2, 3, dtype=torch.float64), "weight": randn(3)},
     {"normalized_shape": [3], "eps": 1e-6}, ["input", "weight"], rms_norm([3], 1e-6), note="zero rows: output 0")

with open(OUT, "w") as f:
    f.write('{\n  "format": "loss-conformance/1",\n  "reference": "torch 1.13.1 (CPU)",\n  "cases": [\n')
    f.write(",\n".join(cases))
    f.write("\n  ]\n}\n")
print("wrote %d cases to %s" % (len(cases), os.path.normpath(OUT)))
