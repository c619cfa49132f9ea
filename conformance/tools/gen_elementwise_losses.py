#!/usr/bin/env python3
"""Generates cases/elementwise_losses.json (format loss-conformance/1): PyTorch 1.13 reference values for the
element-wise losses of issue 13 (losses part 2).

Run from the repository root with the python that has torch 1.13 (Debian's python3-torch):

    /usr/bin/python3 conformance/tools/gen_elementwise_losses.py

Every case exists in float32 and float64 and, unless noted, with each reduction (none, mean, sum). Ops, their
inputs and options (PyTorch names):

* l1_loss, mse_loss (input, target): input and target broadcast (PyTorch warns; the warning is not part of the case)
* smooth_l1_loss (input, target; beta), huber_loss (input, target; delta)
* margin_ranking_loss (input1, input2, target; margin): all three broadcast, same rank
* cosine_embedding_loss (input1, input2, target; margin): no gradient for target
* poisson_nll_loss (input, target; log_input, full, eps)
* gaussian_nll_loss (input, target, var; full, eps): var is an input with a gradient
* binary_cross_entropy (input, target; weight), binary_cross_entropy_with_logits (input, target; weight,
  pos_weight): weight and pos_weight broadcast to the input's shape ([N, 1], [C, 1, 1], ...); PyTorch does not
  differentiate them, so they are options
* kl_div (input, target; log_target) with reduction batchmean on a 0-d input (not divided in 1.13)

Tolerances: float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 / atol 1e-12. A float32 case is also compared with
a float64 evaluation of its own float32 inputs; where PyTorch's float32 result is further away than a quarter of
the tolerance, the tolerance grows (atol through 1/2/5 x 10^k, then rtol) until it is not. The float32 gaussian_nll_loss overflow
cases keep the usual tolerance: PyTorch's float32 result is inf there, a deviation the executor checks itself.
"""
import json
import math
import os
import warnings

import numpy as np
import torch
import torch.nn.functional as F

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "jgrad",
                   "conformance", "cases", "elementwise_losses.json")
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}
TYPES = {"float32": torch.float32, "float64": torch.float64}
REDUCTIONS = ("none", "mean", "sum")
rng = torch.Generator().manual_seed(1314)


def number(v, dtype):
    v = float(v)
    if math.isnan(v):
        return '"nan"'
    if math.isinf(v):
        return '"inf"' if v > 0 else '"-inf"'
    return str(np.float32(v)) if dtype == "float32" else repr(v)


def as_json(t):
    t = t.detach()
    dt = "float32" if t.dtype == torch.float32 else "float64"
    values = ",".join(number(v, dt) for v in t.reshape(-1).tolist())
    return '{"dtype": "%s", "shape": %s, "data": [%s]}' % (dt, json.dumps(list(t.shape)), values)


def normal(*shape):
    return torch.randn(shape, generator=rng, dtype=torch.float64)


def uniform(lo, hi, *shape):
    return lo + (hi - lo) * torch.rand(shape, generator=rng, dtype=torch.float64)


def signs(*shape):
    return torch.where(torch.rand(shape, generator=rng) < 0.5, -1.0, 1.0).to(torch.float64)


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


def evaluate(fn, inputs, options, with_grad, dtype, upstream=None):
    ts = {k: v.to(TYPES[dtype]).clone().requires_grad_(k in with_grad) for k, v in inputs.items()}
    opts = {k: (v.to(TYPES[dtype]) if torch.is_tensor(v) else v) for k, v in options.items()}
    out = fn(ts, opts)
    if upstream is None:
        upstream = normal(*out.shape)
    upstream = upstream.to(out.dtype)
    grads = {}
    if with_grad:
        got = torch.autograd.grad(out, [ts[k] for k in with_grad], upstream, allow_unused=True)
        grads = {k: torch.zeros_like(ts[k]) if g is None else g for k, g in zip(with_grad, got)}
    return ts, opts, out, upstream, grads


cases = []
taken = set()


def case(op, variant, inputs, options, with_grad, fn, note=None):
    for dtype in ("float32", "float64"):
        k = 0
        while "%s/%s/%s/%d" % (op, variant, dtype, k) in taken:
            k += 1
        name = "%s/%s/%s/%d" % (op, variant, dtype, k)
        taken.add(name)
        ts, opts, out, upstream, grads = evaluate(fn, inputs, options, with_grad, dtype)
        rtol, atol = TOL[dtype]
        if dtype == "float32":
            wide = {k: v.detach().double() for k, v in ts.items()}
            wide_opts = {k: (v.double() if torch.is_tensor(v) else v) for k, v in opts.items()}
            _, _, out64, _, grads64 = evaluate(fn, wide, wide_opts, with_grad, "float64", upstream.double())
            ladder = [(rtol, a) for a in (1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4)] + [(r, 1e-4) for r in (2e-5, 5e-5, 1e-4, 1e-3)]
            for rtol, atol in ladder:
                if within(out, out64, rtol / 4, atol / 4) and all(within(grads[g], grads64[g], rtol / 4, atol / 4) for g in with_grad):
                    break
            else:  # PyTorch's float32 overflows where float64 does not (a documented deviation): the usual tolerance
                rtol, atol = TOL[dtype]
        fields = ['"name": %s' % json.dumps(name), '"op": %s' % json.dumps(op), '"dtype": "%s"' % dtype]
        fields.append('"inputs": {%s}' % ", ".join("%s: %s" % (json.dumps(k), as_json(v)) for k, v in ts.items()))
        o = []
        for k, v in opts.items():
            if torch.is_tensor(v):
                o.append("%s: %s" % (json.dumps(k), as_json(v)))
            elif isinstance(v, float):
                o.append("%s: %s" % (json.dumps(k), number(v, "float64")))
            else:
                o.append("%s: %s" % (json.dumps(k), json.dumps(v)))
        fields.append('"options": {%s}' % ", ".join(o))
        fields.append('"requires_grad": %s' % json.dumps(with_grad))
        fields.append('"output": %s' % as_json(out))
        fields.append('"grad_output": %s' % as_json(upstream))
        fields.append('"grads": {%s}' % ", ".join("%s: %s" % (json.dumps(g), as_json(grads[g])) for g in with_grad))
        fields.append('"tol": {"rtol": %s, "atol": %s}' % (rtol, atol))
        if note:
            fields.append('"note": %s' % json.dumps(note))
        cases.append("    {" + ",\n      ".join(fields) + "}")


def dims(s):
    return "x".join(str(d) for d in s) if s else "scalar"


def pairwise(op, f, extra=None):
    """Input/target losses: same shape, broadcast forms and the non-finite edges, every reduction."""
    extra = extra or {}
    forms = [((4, 3), (4, 3)), ((2, 3, 4), (2, 3, 4)), ((), ()), ((4, 3), (3,)), ((4, 1), (1, 3)), ((3,), (2, 3)),
             ((2, 1, 3), (4, 1))]
    for r in REDUCTIONS:
        for xs, ts in forms:
            case(op, "random/%s~%s/%s" % (dims(xs), dims(ts), r), {"input": normal(*xs), "target": normal(*ts)},
                 dict(extra, reduction=r), ["input", "target"], lambda t, o: f(t["input"], t["target"], **o))
        edge_x = torch.tensor([0.0, 1.0, -1.0, float("nan"), float("inf"), float("-inf"), 2.0, 0.5, -0.25], dtype=torch.float64)
        edge_t = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 2.0, float("nan"), 0.75], dtype=torch.float64)
        case(op, "edge/nonfinite-and-ties/%s" % r, {"input": edge_x, "target": edge_t}, dict(extra, reduction=r),
             ["input", "target"], lambda t, o: f(t["input"], t["target"], **o), note="ties, NaN and infinite operands")
    case(op, "edge/empty/mean", {"input": normal(0, 3), "target": normal(0, 3)}, dict(extra, reduction="mean"),
         ["input", "target"], lambda t, o: f(t["input"], t["target"], **o), note="mean of no elements is nan")


# ---------------------------------------------------------------- l1, mse, smooth L1, Huber
pairwise("l1_loss", F.l1_loss)
pairwise("mse_loss", F.mse_loss)
for beta in (1.0, 0.5, 0.0, 2.5):
    pairwise("smooth_l1_loss", F.smooth_l1_loss, {"beta": beta})
for delta in (1.0, 0.3, 4.0):
    pairwise("huber_loss", F.huber_loss, {"delta": delta})

# ---------------------------------------------------------------- margin ranking
for r in REDUCTIONS:
    for a, b, y in [((5,), (5,), (5,)), ((3, 4), (3, 4), (3, 4)), ((3, 4), (1, 4), (3, 1)), ((), (), ())]:
        for margin in (0.0, 0.5):
            case("margin_ranking_loss", "random/%s/%s/m%s" % (dims(a), r, margin),
                 {"input1": normal(*a), "input2": normal(*b), "target": signs(*y)}, {"margin": margin, "reduction": r},
                 ["input1", "input2", "target"], lambda t, o: F.margin_ranking_loss(t["input1"], t["input2"], t["target"], **o))
    case("margin_ranking_loss", "edge/ties-nonfinite/%s" % r,
         {"input1": torch.tensor([1.0, 1.0, float("nan"), float("inf"), -float("inf"), 2.0], dtype=torch.float64),
          "input2": torch.tensor([1.0, 0.0, 0.0, 0.0, 1.0, 2.0], dtype=torch.float64),
          "target": torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0, 0.0], dtype=torch.float64)},
         {"margin": 0.0, "reduction": r}, ["input1", "input2", "target"],
         lambda t, o: F.margin_ranking_loss(t["input1"], t["input2"], t["target"], **o),
         note="a zero hinge passes the gradient (clamp_min); a NaN difference reaches the target gradient")

# ---------------------------------------------------------------- cosine embedding
for r in REDUCTIONS:
    for a, b in [((4, 3), (4, 3)), ((4, 3), (1, 3)), ((1, 5), (3, 5)), ((6,), (6,))]:
        for margin in (0.0, 0.3, -0.5):
            y = signs(max(a[0], b[0])) if len(a) == 2 else signs()
            case("cosine_embedding_loss", "random/%s~%s/%s/m%s" % (dims(a), dims(b), r, margin),
                 {"input1": normal(*a), "input2": normal(*b), "target": y}, {"margin": margin, "reduction": r},
                 ["input1", "input2"], lambda t, o: F.cosine_embedding_loss(t["input1"], t["input2"], t["target"], **o))
    case("cosine_embedding_loss", "edge/zero-rows-and-labels/%s" % r,
         {"input1": torch.tensor([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [3.0, 4.0], [1.0, 0.0]], dtype=torch.float64),
          "input2": torch.tensor([[1.0, 0.0], [1.0, 0.0], [-1.0, -1.0], [4.0, 3.0], [1.0, 0.0]], dtype=torch.float64),
          "target": torch.tensor([1.0, -1.0, -1.0, 2.0, -1.0], dtype=torch.float64)},
         {"margin": 1.0, "reduction": r}, ["input1", "input2"],
         lambda t, o: F.cosine_embedding_loss(t["input1"], t["input2"], t["target"], **o),
         note="a zero row (EPSILON 1e-12 in the norms), a label that is neither 1 nor -1, c - margin = 0")

# ---------------------------------------------------------------- Poisson NLL
for r in REDUCTIONS:
    for log_input in (True, False):
        for full in (False, True):
            for xs, ts in [((4, 3), (4, 3)), ((4, 3), (3,)), ((), ())]:
                x = normal(*xs) if log_input else uniform(0.05, 3, *xs)
                case("poisson_nll_loss", "random/%s~%s/%s/log%s/full%s" % (dims(xs), dims(ts), r, log_input, full),
                     {"input": x, "target": uniform(0, 4, *ts)}, {"log_input": log_input, "full": full, "eps": 1e-8, "reduction": r},
                     ["input", "target"], lambda t, o: F.poisson_nll_loss(t["input"], t["target"], **o))
            x = torch.tensor([0.5, 1.0, 2.0, 0.0, 1.0, 1.0, 3.0, 0.25], dtype=torch.float64)
            y = torch.tensor([0.0, 1.0, 2.0, 3.0, -1.0, 0.5, 5.0, 1.5], dtype=torch.float64)
            case("poisson_nll_loss", "edge/targets/%s/log%s/full%s" % (r, log_input, full), {"input": x, "target": y},
                 {"log_input": log_input, "full": full, "eps": 1e-8, "reduction": r}, ["input", "target"],
                 lambda t, o: F.poisson_nll_loss(t["input"], t["target"], **o),
                 note="Stirling's term only where target > 1; with full its masked target gradient is nan for target <= 0")
    case("poisson_nll_loss", "random/eps/%s" % r, {"input": uniform(0, 2, 3, 3), "target": uniform(0, 3, 3, 3)},
         {"log_input": False, "full": False, "eps": 0.1, "reduction": r}, ["input", "target"],
         lambda t, o: F.poisson_nll_loss(t["input"], t["target"], **o))

# ---------------------------------------------------------------- Gaussian NLL
for r in REDUCTIONS:
    for xs, ts, vs in [((4, 3), (4, 3), (4, 3)), ((4, 3), (4, 3), (4,)), ((4, 3), (4, 3), (4, 1)), ((2, 3, 2), (2, 3, 2), (2, 3)),
                       ((4, 3), (3,), (4, 3)), ((3,), (3,), ())]:
        for full in (False, True):
            case("gaussian_nll_loss", "random/%s~%s~%s/%s/full%s" % (dims(xs), dims(ts), dims(vs), r, full),
                 {"input": normal(*xs), "target": normal(*ts), "var": uniform(0.2, 2, *vs)},
                 {"full": full, "eps": 1e-6, "reduction": r}, ["input", "target", "var"],
                 lambda t, o: F.gaussian_nll_loss(t["input"], t["target"], t["var"], **o))
    case("gaussian_nll_loss", "edge/var-clamped/%s" % r,
         {"input": torch.tensor([0.5, 1.0, -1.0, 2.0, 0.0], dtype=torch.float64),
          "target": torch.tensor([0.0, 1.0, 0.0, float("nan"), 0.0], dtype=torch.float64),
          "var": torch.tensor([0.0, 1e-3, 0.05, 1.0, float("inf")], dtype=torch.float64)},
         {"full": False, "eps": 0.01, "reduction": r}, ["input", "target", "var"],
         lambda t, o: F.gaussian_nll_loss(t["input"], t["target"], t["var"], **o),
         note="var below eps is clamped without differentiating the clamp; an infinite var")

    case("gaussian_nll_loss", "edge/float32_overflow/%s" % r,
         {"input": torch.tensor([2.0 ** 66, 1.0, -(2.0 ** 65)], dtype=torch.float64),
          "target": torch.tensor([0.0, 0.5, 0.0], dtype=torch.float64),
          "var": torch.tensor([2.0 ** 100, 2.0, 2.0 ** 90], dtype=torch.float64)},
         {"full": False, "eps": 1e-6, "reduction": r}, ["input", "target", "var"],
         lambda t, o: F.gaussian_nll_loss(t["input"], t["target"], t["var"], **o),
         note="(input - target)^2 overflows PyTorch's float32 intermediate (inf, dvar -inf) while the loss is finite; "
              "jgrad evaluates in double: a documented deviation in float32")

# ---------------------------------------------------------------- BCE weights broadcast by the full rules
for r in REDUCTIONS:
    for xs, ws in [((4, 3), (4, 1)), ((3, 2, 2), (3, 1, 1)), ((2, 3, 4), (3, 1)), ((2, 3), (1, 3)), ((2, 3), ())]:
        case("binary_cross_entropy", "weight/%s~%s/%s" % (dims(xs), dims(ws), r),
             {"input": uniform(0.02, 0.98, *xs), "target": uniform(0, 1, *xs)}, {"weight": uniform(0.2, 2, *ws), "reduction": r},
             ["input", "target"], lambda t, o: F.binary_cross_entropy(t["input"], t["target"], **o))
        case("binary_cross_entropy_with_logits", "weight/%s~%s/%s" % (dims(xs), dims(ws), r),
             {"input": 3 * normal(*xs), "target": uniform(0, 1, *xs)}, {"weight": uniform(0.2, 2, *ws), "pos_weight": None, "reduction": r},
             ["input", "target"], lambda t, o: F.binary_cross_entropy_with_logits(t["input"], t["target"], **o))
        case("binary_cross_entropy_with_logits", "pos_weight/%s~%s/%s" % (dims(xs), dims(ws), r),
             {"input": 3 * normal(*xs), "target": uniform(0, 1, *xs)},
             {"weight": uniform(0.2, 2, *xs[-1:]), "pos_weight": uniform(0.2, 3, *ws), "reduction": r},
             ["input", "target"], lambda t, o: F.binary_cross_entropy_with_logits(t["input"], t["target"], **o))

# ---------------------------------------------------------------- kl_div batchmean of a 0-d input
for log_target in (False, True):
    case("kl_div", "edge/scalar/batchmean/log%s" % log_target, {"input": torch.tensor(-1.2, dtype=torch.float64),
                                                                "target": torch.tensor(0.4 if not log_target else -0.7, dtype=torch.float64)},
         {"reduction": "batchmean", "log_target": log_target}, ["input", "target"],
         lambda t, o: F.kl_div(t["input"], t["target"], **o), note="PyTorch 1.13 does not divide a 0-d input by a batch size")

with open(OUT, "w") as fh:
    fh.write('{\n  "format": "loss-conformance/1",\n  "reference": "torch 1.13.1 (CPU)",\n  "cases": [\n')
    fh.write(",\n".join(cases))
    fh.write("\n  ]\n}\n")
print(len(cases), "cases ->", os.path.normpath(OUT))
