"""Shared helpers of the generators that write PyTorch reference cases in the conformance format
(`loss-conformance/1`, see ../FORMAT.md): value formatting, seeded inputs, and `add`, which records one case per dtype
with the float32 tolerance chosen against a float64 recomputation of the same inputs.

A generator sets the seed and tolerances with `setup(seed, tol)`, calls `add(...)` for its cases and `write(path)`
at the end. Import it from a script in this directory (`from casegen import *`).
"""
import json
import math
import os

import numpy as np
import torch

__all__ = ["setup", "fmt", "tjson", "randn", "mask", "randint", "close", "run", "add", "shp", "write", "cases", "DTYPES"]

DTYPES = {"float32": torch.float32, "float64": torch.float64}
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}
gen = torch.Generator().manual_seed(0)
cases = []
names = set()


def setup(seed, tol=None):
    """Seeds the input generator and sets the per-dtype (rtol, atol) of the cases."""
    global gen, TOL
    gen = torch.Generator().manual_seed(seed)
    if tol is not None:
        TOL = tol


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


def write(path):
    """Writes the recorded cases as one case file."""
    with open(path, "w") as f:
        f.write('{\n  "format": "loss-conformance/1",\n  "reference": "torch 1.13.1 (CPU)",\n  "cases": [\n')
        f.write(",\n".join(cases))
        f.write("\n  ]\n}\n")
    print("wrote %d cases to %s" % (len(cases), os.path.normpath(path)))
