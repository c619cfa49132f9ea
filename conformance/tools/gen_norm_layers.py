#!/usr/bin/env python3
"""Prints the PyTorch 1.13 reference values pinned in nn's NormLayersTest (float64): a BatchNorm2d(3) (momentum 0.1
and momentum None) and a BatchNorm1d(2) trained for three SGD steps (lr 0.1) on inputs given by a formula, loss
sum(bn(x_k) * c), then switched to eval. Run: /usr/bin/python3 conformance/tools/gen_norm_layers.py"""
import math

import torch


def data(shape, k):
    n = math.prod(shape)
    return torch.tensor([math.sin(0.37 * i + 1.3 * k) * 2 + 0.1 * k + 0.05 * (i % 3) for i in range(n)],
                        dtype=torch.float64).reshape(shape)


def coeff(shape):
    n = math.prod(shape)
    return torch.tensor([math.cos(0.11 * i) for i in range(n)], dtype=torch.float64).reshape(shape)


def run(bn, shape):
    bn = bn.double()
    c = coeff(shape)
    for k in range(3):
        bn.train()
        bn.zero_grad()
        (bn(data(shape, k)) * c).sum().backward()
        with torch.no_grad():
            for p in bn.parameters():
                p -= 0.1 * p.grad
    bn.eval()
    y = bn(data(shape, 7))
    out = {name: t.reshape(-1).tolist() for name, t in bn.state_dict().items()}
    out["eval"] = y.reshape(-1).tolist()[:6]
    return out


def show(title, d):
    print("// " + title)
    for k, v in d.items():
        print("%s = {%s};" % (k, ", ".join(repr(float(x)) for x in v)))


show("BatchNorm2d(3), momentum 0.1, x [4, 3, 2, 2]", run(torch.nn.BatchNorm2d(3), (4, 3, 2, 2)))
show("BatchNorm2d(3), momentum None, x [4, 3, 2, 2]", run(torch.nn.BatchNorm2d(3, momentum=None), (4, 3, 2, 2)))
show("BatchNorm1d(2), momentum 0.3, eps 1e-3, x [5, 2, 3]", run(torch.nn.BatchNorm1d(2, eps=1e-3, momentum=0.3), (5, 2, 3)))
