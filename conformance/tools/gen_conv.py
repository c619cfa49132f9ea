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
from casegen import *  # noqa: E402,F401,F403 (fmt, tjson, randn, mask, randint, close, run, add, shp, write)

setup(1414, {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)})


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

write(OUT)
