#!/usr/bin/env python3
"""Generates cases/linear_cross_entropy.json (format loss-conformance/1): PyTorch 1.13 reference values for jgrad's
fused linear + cross-entropy (issue 17), computed unfused as

    F.cross_entropy(F.linear(input, weight, bias), target, weight=class_weight, ignore_index=..., reduction=...,
                    label_smoothing=...)

with gradients with respect to input [N, D], weight [V, D] and bias [V]. Run from the repository root with the python
that has torch 1.13 (Debian's python3-torch):

    /usr/bin/python3 conformance/tools/gen_linear_cross_entropy.py

Inputs: input, weight, bias (absent for no bias), target (int64 class indices), class_weight (optional, [V], no
gradient). Options: ignore_index, reduction, label_smoothing. Every case exists in float32 and float64; the vocabulary
of 600 classes spans two of jgrad's 512-class blocks.
"""
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "jgrad",
                   "conformance", "cases", "linear_cross_entropy.json")
from casegen import *  # noqa: E402,F401,F403 (fmt, tjson, randn, mask, randint, close, run, add, shp, write)

setup(1717, {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)})


def lce(ignore_index=-100, reduction="mean", label_smoothing=0.0):
    return lambda t: F.cross_entropy(F.linear(t["input"], t["weight"], t.get("bias")), t["target"],
                                     weight=t.get("class_weight"), ignore_index=ignore_index, reduction=reduction,
                                     label_smoothing=label_smoothing)


def case(variant, n, d, v, bias=True, class_weight=False, ignore=None, ignore_index=-100, smoothing=0.0,
         reductions=("none", "mean", "sum"), scale=1.0, target=None, note=None):
    for red in reductions:
        ins = {"input": randn(n, d) * scale, "weight": randn(v, d) / (d ** 0.5)}
        if bias:
            ins["bias"] = randn(v)
        t = randint(0, v, n) if target is None else target.clone()
        if ignore is not None:
            t[::ignore] = ignore_index
        ins["target"] = t
        if class_weight:
            ins["class_weight"] = torch.rand(v, generator=None, dtype=torch.float64) * 1.5 + 0.25
        grads = ["input", "weight"] + (["bias"] if bias else [])
        add("linear_cross_entropy", "%s/%s" % (variant, red), ins,
            {"ignore_index": ignore_index, "reduction": red, "label_smoothing": smoothing}, grads,
            lce(ignore_index, red, smoothing), note=note)


torch.manual_seed(1717)  # class weights
case("plain/6x5_7x5", 6, 5, 7)
case("no_bias/6x5_7x5", 6, 5, 7, bias=False)
case("all_options/8x4_9x4", 8, 4, 9, class_weight=True, ignore=3, smoothing=0.1)
case("ignore_valid_class/6x3_5x3", 6, 3, 5, ignore_index=2, target=torch.tensor([0, 2, 1, 2, 4, 3]), smoothing=0.05)
case("two_blocks/9x8_600x8", 9, 8, 600, class_weight=True, ignore=4, smoothing=0.2)
case("two_blocks_plain/9x8_600x8", 9, 8, 600)
case("all_ignored/4x3_5x3", 4, 3, 5, ignore=1, reductions=("mean", "sum"),
     note="every target ignored: MEAN is 0/0 = nan, gradients 0")
case("extreme_logits/5x4_6x4", 5, 4, 6, scale=150.0, smoothing=0.1,
     note="logits of order 1e2, past float32 exp's overflow: the log-sum-exp is max-shifted")
write(OUT)
