#!/usr/bin/env python3
"""Generates cases/reductions.json (format loss-conformance/1) with PyTorch 1.13 on CPU.

Ops: sum, mean, logsumexp (list-valued dim), amax, amin, var, std (unbiased / correction), norm (p = 2, 1, 3,
inf, 'fro'), max / min along a dim (values), argmax / argmin (index values written in the case dtype, no
gradient) and topk (values). Every case exists in float32 and float64; float32 tolerances follow FORMAT.md
(rtol 1e-5, atol 1e-6, atol raised to the next 1/2/5 x 10^k where a float64 re-computation of the same float32
inputs shows less than 4x head-room).

Run from the repository root:  /usr/bin/python3 conformance/tools/gen_reductions.py
"""
import json
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "dev", "jgrad", "conformance",
                   "cases", "reductions.json")
RTOL = {"float32": 1e-5, "float64": 1e-10}
ATOL = {"float32": 1e-6, "float64": 1e-12}
TDT = {"float32": torch.float32, "float64": torch.float64}
INF, NAN = float("inf"), float("nan")


def fmt(v, dtype):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(repr(np.float32(v))) if dtype == "float32" else v


def tensor(t, dtype):
    vals = t.detach().reshape(-1).tolist()
    return {"dtype": dtype, "shape": list(t.shape), "data": [fmt(v, dtype) for v in vals]}


def call(op, x, o):
    dim, keepdim = o.get("dim"), o.get("keepdim", False)
    if op == "sum":
        return torch.sum(x, dim=dim, keepdim=keepdim)
    if op == "mean":
        return torch.mean(x, dim=dim, keepdim=keepdim)
    if op == "logsumexp":
        return torch.logsumexp(x, dim=dim, keepdim=keepdim)
    if op == "amax":
        return torch.amax(x, dim=dim, keepdim=keepdim)
    if op == "amin":
        return torch.amin(x, dim=dim, keepdim=keepdim)
    if op in ("var", "std"):
        f = torch.var if op == "var" else torch.std
        if "correction" in o:
            return f(x, dim=dim, correction=o["correction"], keepdim=keepdim)
        return f(x, dim=dim, unbiased=o.get("unbiased", True), keepdim=keepdim)
    if op == "norm":
        return torch.norm(x, p=o["p"], dim=dim, keepdim=keepdim)
    if op == "max":
        return torch.max(x, dim=dim, keepdim=keepdim).values
    if op == "min":
        return torch.min(x, dim=dim, keepdim=keepdim).values
    if op == "argmax":
        return (torch.argmax(x) if dim is None else torch.argmax(x, dim=dim, keepdim=keepdim)).to(x.dtype)
    if op == "argmin":
        return (torch.argmin(x) if dim is None else torch.argmin(x, dim=dim, keepdim=keepdim)).to(x.dtype)
    if op == "topk":
        return torch.topk(x, o["k"], dim=dim, largest=o.get("largest", True), sorted=True).values
    raise ValueError(op)


NO_GRAD = {"argmax", "argmin"}


def run(op, x, o, go, dtype):
    xt = x.clone().to(TDT[dtype]).requires_grad_(op not in NO_GRAD)
    y = call(op, xt, o)
    g = None
    if op not in NO_GRAD:
        y.backward(go.to(TDT[dtype]))
        g = xt.grad
    return y.detach(), g


def needed_atol(t32, t64, rtol):
    """The smallest 1/2/5 x 10^k atol >= 1e-6 giving 4x head-room on |t32 - t64| (finite elements)."""
    a, b = t32.double().reshape(-1), t64.reshape(-1)
    need = 0.0
    for u, v in zip(a.tolist(), b.tolist()):
        if math.isfinite(v) and math.isfinite(u):
            need = max(need, 4 * abs(u - v) - rtol * abs(v))
    atol = ATOL["float32"]
    steps = [1, 2, 5]
    k, i = -6, 0
    while atol < need:
        i += 1
        atol = steps[i % 3] * 10.0 ** (k + i // 3)
    return atol


def case(cases, name, op, x, o, dtype, edge=False, note=None, seed=0):
    gen = torch.Generator().manual_seed(1000 + len(cases))
    x = x.to(TDT[dtype])
    shape = call(op, x.clone(), o).shape
    go = torch.randn(shape, generator=gen, dtype=torch.float64).to(TDT[dtype])
    if op in NO_GRAD:
        go = torch.zeros(shape, dtype=TDT[dtype])
    y, g = run(op, x, o, go, dtype)
    atol = ATOL[dtype]
    if dtype == "float32":
        y64, g64 = run(op, x.double(), o, go.double(), "float64")
        atol = needed_atol(y, y64, RTOL[dtype])
        if g is not None:
            atol = max(atol, needed_atol(g, g64, RTOL[dtype]))
    c = {
        "name": f"{op}/{'edge/' if edge else ''}{name}/{dtype}/{len(cases)}",
        "op": op,
        "dtype": dtype,
        "inputs": {"input": tensor(x, dtype)},
        "options": {k: ("inf" if isinstance(v, float) and math.isinf(v) else v) for k, v in o.items()},
        "requires_grad": [] if op in NO_GRAD else ["input"],
        "output": tensor(y, dtype),
        "grad_output": tensor(go, dtype),
        "grads": {} if g is None else {"input": tensor(g, dtype)},
        "tol": {"rtol": RTOL[dtype], "atol": atol},
    }
    if note:
        c["note"] = note
    cases.append(c)


def randn(seed, *shape):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def main():
    cases = []
    for dtype in ("float32", "float64"):
        x3 = randn(1, 3, 4, 5)
        x2 = randn(2, 4, 6)
        dim_sets = [[0, 2], [-1, 0], [1, 2], [0, 1, 2], [2, -2], [1]]
        for op in ("sum", "mean", "logsumexp", "amax", "amin"):
            for dims in dim_sets:
                for keepdim in (False, True):
                    case(cases, f"random/dim{dims}/keepdim{keepdim}".replace(" ", ""), op, x3, {"dim": dims, "keepdim": keepdim}, dtype)
            case(cases, "random/2d", op, x2, {"dim": [0, 1], "keepdim": False}, dtype)
        for op in ("sum", "mean"):
            case(cases, "all_dims_empty_list", op, x3, {"dim": [], "keepdim": False}, dtype,
                 note="dim=[] reduces every dim in PyTorch 1.13")
            case(cases, "zero_size", op, torch.zeros(2, 0, 3, dtype=torch.float64), {"dim": [0, 1], "keepdim": True}, dtype,
                 edge=True, note="a reduced dim of size 0: sum 0, mean nan (0/0)")
        # logsumexp at the non-finite edges
        ninf = -INF
        lse = torch.tensor([[[ninf, ninf], [ninf, ninf]], [[INF, 1.0], [0.0, 2.0]], [[ninf, 0.5], [ninf, -1.0]],
                            [[1e4, 1e4 - 1], [-1e4, 3.0]]], dtype=torch.float64)
        case(cases, "infinite", "logsumexp", lse, {"dim": [1, 2], "keepdim": False}, dtype, edge=True,
             note="an all -inf slice gives -inf (gradient nan), a +inf slice +inf (gradient nan), -inf entries weigh 0")
        big = randn(3, 2, 3, 4) * (30.0 if dtype == "float32" else 300.0)
        case(cases, "large", "logsumexp", big, {"dim": [0, 2], "keepdim": True}, dtype, edge=True)
        # amax / amin: ties and NaN
        ties = torch.tensor([[[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], [[3.0, 0.0, -1.0], [2.0, NAN, 1.0]]], dtype=torch.float64)
        for op in ("amax", "amin"):
            case(cases, "ties_nan", op, ties, {"dim": [0, 2], "keepdim": False}, dtype, edge=True,
                 note="tied extrema share the gradient evenly; a NaN slice is nan with a nan gradient")
        # var / std
        for op in ("var", "std"):
            for dims in ([0, 2], [-1], [1, 2]):
                case(cases, f"unbiased/dim{dims}".replace(" ", ""), op, x3, {"dim": dims, "unbiased": True, "keepdim": False}, dtype)
            # every dim as dim=None: PyTorch 1.13's var/std(dim=[]) reduce every dim too, but their backward counts one
            # element (gradient 2/(1 - 1) = inf); jgrad reads [] and None alike, with the true gradient
            case(cases, "unbiased/all", op, x3, {"unbiased": True, "keepdim": False}, dtype)
            case(cases, "biased", op, x3, {"dim": [0, 1], "unbiased": False, "keepdim": True}, dtype)
            case(cases, "correction2", op, x3, {"dim": [2], "correction": 2, "keepdim": False}, dtype)
            case(cases, "correction0", op, x2, {"dim": [0, 1], "correction": 0, "keepdim": True}, dtype)
            const = torch.tensor([[7.0, 7.0, 7.0], [1.0, 2.0, 4.0]], dtype=torch.float64)
            case(cases, "constant_row", op, const, {"dim": [1], "unbiased": True, "keepdim": False}, dtype, edge=True,
                 note="a constant slice: std 0 with gradient 0 (PyTorch's std_backward)")
            case(cases, "single_element", op, torch.tensor([[1.5, -2.0]], dtype=torch.float64), {"dim": [0], "unbiased": True, "keepdim": False},
                 dtype, edge=True, note="n = 1 with correction 1: 0/0 = nan, gradient nan")
        # norm
        for p in (2.0, 1.0, 3.0, INF, 1.5):
            for dims in ([0, 2], [-1], []):
                case(cases, f"p{p}/dim{dims}".replace(" ", ""), "norm", x3, {"p": p, "dim": dims, "keepdim": False}, dtype)
            case(cases, f"p{p}/keepdim", "norm", x2, {"p": p, "dim": [1], "keepdim": True}, dtype)
        case(cases, "fro", "norm", x3, {"p": "fro", "dim": [0, 2], "keepdim": False}, dtype)
        zrow = torch.tensor([[0.0, 0.0, 0.0], [3.0, -4.0, 4.0]], dtype=torch.float64)
        for p in (2.0, 1.0, 3.0, INF):
            case(cases, f"p{p}/zero_row", "norm", zrow, {"p": p, "dim": [1], "keepdim": False}, dtype, edge=True,
                 note="the gradient is 0 where the norm is 0; inf-norm ties share the gradient")
        # max / min along a dim, argmax / argmin, topk
        for op in ("max", "min"):
            for dim in (0, 1, -1):
                case(cases, f"dim{dim}", op, x3, {"dim": dim, "keepdim": dim == 1}, dtype)
        mm = torch.tensor([[1.0, NAN, 3.0, NAN], [2.0, 2.0, 1.0, 2.0], [-1.0, 5.0, -1.0, 5.0]], dtype=torch.float64)
        for op in ("max", "min", "argmax", "argmin"):
            for dim in (0, 1):
                case(cases, f"ties_nan/dim{dim}", op, mm, {"dim": dim, "keepdim": False}, dtype, edge=True,
                     note="the first extremum of a slice; NaN is the extremum; the gradient goes to that index")
        for op in ("argmax", "argmin"):
            for dim in (0, 2, -2):
                case(cases, f"dim{dim}", op, x3, {"dim": dim, "keepdim": dim == 2}, dtype)
            case(cases, "all", op, x3, {}, dtype)
            case(cases, "all_ties", op, torch.tensor([[2.0, -1.0, 5.0], [-1.0, 5.0, 0.0]], dtype=torch.float64), {}, dtype, edge=True)
        for largest in (True, False):
            for dim, k in ((-1, 3), (0, 2), (1, 1)):
                case(cases, f"largest{largest}/dim{dim}/k{k}", "topk", x3, {"k": k, "dim": dim, "largest": largest}, dtype)
        tk = torch.tensor([[1.0, 3.0, NAN, 2.0, 0.0], [-1.0, 4.0, 0.5, -3.0, 2.0]], dtype=torch.float64)
        case(cases, "nan", "topk", tk, {"k": 2, "dim": 1, "largest": True}, dtype, edge=True, note="NaN is larger than every number")
    with open(OUT, "w") as f:
        f.write('{\n  "format": "loss-conformance/1",\n  "reference": "torch 1.13.1 (CPU)",\n  "cases": [\n')
        f.write(",\n".join("    " + json.dumps(c, separators=(",", ": ")).replace('": ', '": ') for c in cases))
        f.write("\n  ]\n}\n")
    print(len(cases), "cases ->", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
