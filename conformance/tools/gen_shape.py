#!/usr/bin/env python3
"""Generates cases/shape.json (format loss-conformance/1): PyTorch 1.13 reference values for the shape and
indexing ops of issue 13 (slice A).

Run from the repository root with the python that has torch 1.13 (Debian's python3-torch):

    /usr/bin/python3 conformance/tools/gen_shape.py

Every case exists in float32 and float64. Ops, their inputs and options (PyTorch names):

* permute(input, dims), transpose(input, dim0, dim1), reshape / view (input, shape), flatten(input, start_dim,
  end_dim), squeeze(input, dim or null = all), unsqueeze(input, dim), expand / broadcast_to (input, size)
* narrow(input, dim, start, length), slice(input, dim, start, end, step) = input[.., start:end:step, ..],
  select(input, dim, index)
* stack / cat (tensors_0, tensors_1, ...; dim)
* split(input, split_size_or_sections, dim) and chunk(input, chunks, dim): several outputs; the case holds
  the piece `piece` of `pieces` (the number of pieces is part of the expectation)
* flip(input, dims), pad(input, pad, value) (F.pad, constant mode)
* where(condition, input, other): condition is a float 0/1 mask (true where non-zero), no gradient
* masked_fill(input, mask, value): mask a float 0/1 mask broadcastable to input
* gather(input, dim, index int64), scatter_add(input, dim, index int64, src)
* embedding(input int64 indices, weight, padding_idx or null)

Tolerances: float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 / atol 1e-12. Each float32 case is checked with
4x head-room against a float64 recomputation of the same float32 inputs; where it fails, atol is raised to the
next 1/2/5 x 10^k (the ops here are copies except for the sums in the gradients of expand, gather,
scatter_add and embedding, so this does not happen with these inputs).
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "jgrad",
                   "conformance", "cases", "shape.json")
from casegen import *  # noqa: E402,F401,F403 (fmt, tjson, randn, mask, randint, close, run, add, shp, write)

setup(1313, {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)})


EDGE = torch.tensor([0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e300, -1e-300, 3.5], dtype=torch.float64)

# ---------------------------------------------------------------- permute / transpose
for s, dims in [((2, 3, 4), [2, 0, 1]), ((2, 3, 4), [-1, -3, 1]), ((5,), [0]), ((), []), ((2, 0, 3), [1, 2, 0]),
                ((2, 1, 3, 2), [3, 1, 0, 2])]:
    add("permute", "random/" + shp(s), {"input": randn(*s)}, {"dims": dims}, ["input"],
        lambda t, dims=dims: t["input"].permute(dims))
add("permute", "edge/nonfinite/2x4", {"input": EDGE.reshape(2, 4)}, {"dims": [1, 0]}, ["input"],
    lambda t: t["input"].permute(1, 0))
for s, d0, d1 in [((2, 3, 4), 0, 2), ((2, 3, 4), -1, 1), ((3, 4), 0, 1), ((3,), 0, -1), ((), 0, -1),
                  ((2, 3, 4, 5), 1, 3), ((2, 3), 1, 1), ((0, 3), 0, 1)]:
    add("transpose", "random/" + shp(s), {"input": randn(*s)}, {"dim0": d0, "dim1": d1}, ["input"],
        lambda t, d0=d0, d1=d1: torch.transpose(t["input"], d0, d1))

# ---------------------------------------------------------------- reshape / view / flatten / squeeze / unsqueeze
for s, to in [((2, 3, 4), [4, -1]), ((2, 3, 4), [-1]), ((6,), [2, 1, 3]), ((1, 1), []), ((0, 4), [2, 0, 3]), ((0, 4), [-1, 8]),
              ((2, 6), [3, 4])]:
    add("reshape", "random/" + shp(s), {"input": randn(*s)}, {"shape": to}, ["input"],
        lambda t, to=to: t["input"].reshape(to))
    add("view", "random/" + shp(s), {"input": randn(*s)}, {"shape": to}, ["input"],
        lambda t, to=to: t["input"].view(to))
for s, a, b in [((2, 3, 4), 0, -1), ((2, 3, 4), 1, 2), ((2, 3, 4, 5), -3, -2), ((), 0, -1), ((3,), 0, 0),
                ((2, 0, 3), 0, 1)]:
    add("flatten", "random/" + shp(s), {"input": randn(*s)}, {"start_dim": a, "end_dim": b}, ["input"],
        lambda t, a=a, b=b: torch.flatten(t["input"], a, b))
for s, d in [((2, 1, 3, 1), None), ((2, 1, 3, 1), 1), ((2, 1, 3, 1), -1), ((2, 1, 3), 0), ((1,), None), ((), 0),
             ((1, 0, 1), None)]:
    add("squeeze", "random/" + shp(s) + ("/all" if d is None else "/dim"), {"input": randn(*s)}, {"dim": d}, ["input"],
        lambda t, d=d: t["input"].squeeze() if d is None else t["input"].squeeze(d))
for s, d in [((2, 3), 0), ((2, 3), 2), ((2, 3), -1), ((2, 3), -3), ((), 0), ((0,), 1)]:
    add("unsqueeze", "random/" + shp(s), {"input": randn(*s)}, {"dim": d}, ["input"],
        lambda t, d=d: t["input"].unsqueeze(d))

# ---------------------------------------------------------------- expand / broadcast_to
for s, to in [((3, 1), [3, 4]), ((1, 4), [2, 3, 4]), ((2, 1, 3), [-1, 5, -1]), ((), [2, 3]), ((1,), [0]),
              ((3,), [2, 3]), ((2, 1, 1), [2, 3, 4])]:
    add("expand", "random/" + shp(s), {"input": randn(*s)}, {"size": to}, ["input"],
        lambda t, to=to: t["input"].expand(*to))
    add("broadcast_to", "random/" + shp(s), {"input": randn(*s)}, {"size": to}, ["input"],
        lambda t, to=to: torch.broadcast_to(t["input"], to))
add("expand", "edge/nonfinite/8x1", {"input": EDGE.reshape(8, 1)}, {"size": [8, 3]}, ["input"],
    lambda t: t["input"].expand(8, 3))

# ---------------------------------------------------------------- narrow / slice / select
for s, d, st, ln in [((4, 5), 1, 1, 3), ((4, 5), 0, 0, 4), ((4, 5), -1, -2, 2), ((3, 4, 5), 1, 2, 0), ((6,), 0, 5, 1)]:
    add("narrow", "random/" + shp(s), {"input": randn(*s)}, {"dim": d, "start": st, "length": ln}, ["input"],
        lambda t, d=d, st=st, ln=ln: t["input"].narrow(d, st, ln))
BIG = 2 ** 31 - 1
for s, d, a, b, step in [((4, 7), 1, 1, 6, 2), ((4, 7), 0, -3, BIG, 1), ((4, 7), -1, -100, 100, 3), ((5,), 0, 4, 1, 1),
                         ((3, 4, 5), 2, 0, 5, 4), ((3, 4, 5), 1, -1, -5, 1), ((6, 2), 0, 1, -1, 2), ((0, 3), 0, 0, 5, 1)]:
    def sl(t, d=d, a=a, b=b, step=step):
        idx = [slice(None)] * t["input"].dim()
        idx[d] = slice(a, b, step)
        return t["input"][tuple(idx)]
    add("slice", "random/" + shp(s), {"input": randn(*s)}, {"dim": d, "start": a, "end": b, "step": step}, ["input"], sl)
for s, d, i in [((4, 5), 0, 2), ((4, 5), 1, -1), ((3, 4, 5), -2, 0), ((3,), 0, -3), ((3, 0), 0, 1)]:
    add("select", "random/" + shp(s), {"input": randn(*s)}, {"dim": d, "index": i}, ["input"],
        lambda t, d=d, i=i: t["input"].select(d, i))
add("select", "edge/nonfinite/2x4", {"input": EDGE.reshape(2, 4)}, {"dim": 0, "index": 1}, ["input"],
    lambda t: t["input"].select(0, 1))

# ---------------------------------------------------------------- stack / cat
for shapes, d in [([(2, 3), (2, 3)], 0), ([(2, 3), (2, 3), (2, 3)], 2), ([(2, 3), (2, 3)], -1), ([(), ()], 0),
                  ([(3,)], 1), ([(0, 2), (0, 2)], 1)]:
    ins = {"tensors_%d" % i: randn(*s) for i, s in enumerate(shapes)}
    add("stack", "random/" + shp(shapes[0]) + "/%d" % len(shapes), ins, {"dim": d}, list(ins),
        lambda t, d=d, n=len(shapes): torch.stack([t["tensors_%d" % i] for i in range(n)], d))
for shapes, d in [([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1), (2, 2)], 1), ([(2, 3, 4), (2, 2, 4)], -2),
                  ([(2, 0, 4), (2, 3, 4)], 1), ([(3,), (2,)], 0)]:
    ins = {"tensors_%d" % i: randn(*s) for i, s in enumerate(shapes)}
    add("cat", "random/" + shp(shapes[0]) + "/%d" % len(shapes), ins, {"dim": d}, list(ins),
        lambda t, d=d, n=len(shapes): torch.cat([t["tensors_%d" % i] for i in range(n)], d))

# ---------------------------------------------------------------- split / chunk
for s, ss, d in [((7, 3), 3, 0), ((2, 5), [1, 4], 1), ((2, 6, 2), 2, -2), ((4,), [0, 4, 0], 0), ((0, 2), 0, 0)]:
    pieces = torch.split(randn(*s), ss, d)
    for p in range(len(pieces)):
        add("split", "random/" + shp(s) + "/piece%d" % p, {"input": randn(*s)},
            {"split_size_or_sections": ss, "dim": d, "piece": p, "pieces": len(pieces)}, ["input"],
            lambda t, ss=ss, d=d, p=p: torch.split(t["input"], ss, d)[p])
for s, c, d in [((7, 3), 3, 0), ((2, 6), 4, 1), ((5,), 5, 0), ((0, 3), 2, 0), ((3, 2), 5, 0)]:
    pieces = torch.chunk(randn(*s), c, d)
    for p in range(len(pieces)):
        add("chunk", "random/" + shp(s) + "/piece%d" % p, {"input": randn(*s)},
            {"chunks": c, "dim": d, "piece": p, "pieces": len(pieces)}, ["input"],
            lambda t, c=c, d=d, p=p: torch.chunk(t["input"], c, d)[p])

# ---------------------------------------------------------------- flip / pad
for s, dims in [((3, 4), [0]), ((3, 4), [0, 1]), ((2, 3, 4), [-1, 0]), ((5,), [0]), ((), [0]), ((2, 0), [1]),
                ((2, 3, 4), [])]:
    add("flip", "random/" + shp(s), {"input": randn(*s)}, {"dims": dims}, ["input"],
        lambda t, dims=dims: torch.flip(t["input"], dims))
for s, p, v in [((2, 3), [1, 2], 0.0), ((2, 3), [1, 0, 2, 1], 1.5), ((2, 3, 4), [-1, 1], 0.0), ((2, 3, 4), [0, 0, -1, -1], -2.0),
                ((2, 3, 4), [1, 1, 1, 1, 1, 1], 0.5), ((3, 4), [-2, -2], 0.0), ((1, 2, 3, 3), [1, 1, 1, 1], 0.0),
                ((2, 3), [], 0.0)]:
    add("pad", "random/" + shp(s), {"input": randn(*s)}, {"pad": p, "value": v}, ["input"],
        lambda t, p=p, v=v: F.pad(t["input"], p, "constant", v))
add("pad", "edge/nonfinite_value/2x2", {"input": randn(2, 2)}, {"pad": [1, 1], "value": float("-inf")}, ["input"],
    lambda t: F.pad(t["input"], [1, 1], "constant", float("-inf")))

# ---------------------------------------------------------------- where / masked_fill
for cs, a, b in [((3, 4), (3, 4), (3, 4)), ((3, 1), (1, 4), (3, 4)), ((4,), (3, 4), ()), ((2, 1, 4), (3, 1), (1,)),
                 ((), (2, 3), (2, 3)), ((0, 3), (1, 3), (3,))]:
    add("where", "random/" + shp(cs) + "_" + shp(a) + "_" + shp(b), {"condition": mask(*cs), "input": randn(*a), "other": randn(*b)},
        {}, ["input", "other"], lambda t: torch.where(t["condition"] != 0, t["input"], t["other"]))
add("where", "edge/nonfinite/2x4", {"condition": mask(2, 4), "input": EDGE.reshape(2, 4), "other": EDGE.flip(0).reshape(2, 4)},
    {}, ["input", "other"], lambda t: torch.where(t["condition"] != 0, t["input"], t["other"]))
for xs, ms, v in [((3, 4), (3, 4), 0.0), ((3, 4), (4,), -1e9), ((2, 3, 4), (3, 1), float("-inf")), ((2, 3), (), 2.5),
                  ((2, 3), (1, 3), float("nan"))]:
    add("masked_fill", "random/" + shp(xs) + "_" + shp(ms), {"input": randn(*xs), "mask": mask(*ms)}, {"value": v}, ["input"],
        lambda t, v=v: t["input"].masked_fill(t["mask"] != 0, v))

# ---------------------------------------------------------------- gather / scatter_add
for xs, d, isz in [((3, 4), 1, (3, 6)), ((3, 4), 0, (5, 4)), ((2, 3, 4), 1, (2, 5, 3)), ((2, 3, 4), -1, (1, 2, 2)),
                   ((5,), 0, (7,)), ((3, 4), 0, (0, 4))]:
    dd = d % len(xs)
    add("gather", "random/" + shp(xs) + "/dim%d" % d, {"input": randn(*xs), "index": randint(0, xs[dd], *isz)}, {"dim": d}, ["input"],
        lambda t, d=d: torch.gather(t["input"], d, t["index"]))
# PyTorch 1.13 computes the gradient of src only when src has the index's shape (a larger src fails in its backward)
for xs, d, isz, ss in [((3, 4), 0, (5, 4), (5, 4)), ((3, 4), 1, (3, 6), (3, 6)), ((2, 3, 4), 2, (2, 2, 5), (2, 2, 5)),
                       ((5,), 0, (8,), (8,)), ((2, 3), -1, (1, 2), (1, 2)), ((3, 4), 0, (5, 4), (6, 5)),
                       ((2, 3), 1, (2, 4), (3, 4))]:
    dd = d % len(xs)
    add("scatter_add", "random/" + shp(xs) + "/dim%d" % d + ("/larger_src" if ss != isz else ""),
        {"input": randn(*xs), "index": randint(0, xs[dd], *isz), "src": randn(*ss)}, {"dim": d},
        ["input", "src"] if ss == isz else ["input"],
        lambda t, d=d: torch.scatter_add(t["input"], d, t["index"], t["src"]))

# ---------------------------------------------------------------- embedding
for v, dm, isz, pad in [(10, 4, (3,), None), (10, 4, (2, 5), None), (5, 3, (4, 6), 0), (5, 3, (8,), -1), (6, 2, (), None),
                        (4, 3, (0,), None), (3, 2, (2, 3), 2)]:
    idx = randint(0, v, *isz)
    add("embedding", "random/" + shp((v, dm)) + "_" + shp(isz) + ("" if pad is None else "/padding"),
        {"input": idx, "weight": randn(v, dm)}, {"padding_idx": pad}, ["weight"],
        lambda t, pad=pad: F.embedding(t["input"], t["weight"], padding_idx=pad))
add("embedding", "edge/repeated/6x3_12", {"input": torch.tensor([1, 1, 1, 4, 1, 4, 0, 0, 1, 1, 1, 1]), "weight": randn(6, 3)},
    {"padding_idx": None}, ["weight"], lambda t: F.embedding(t["input"], t["weight"]))

write(OUT)
