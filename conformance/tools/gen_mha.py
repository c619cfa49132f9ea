#!/usr/bin/env python3
"""Writes nn/src/test/resources/dev/jgrad/nn/mha_reference.txt: a PyTorch 1.13 nn.MultiheadAttention (float64,
seeded) with its parameters, inputs, outputs and gradients, for MultiheadAttentionTest. Run from the repository root:

    /usr/bin/python3 conformance/tools/gen_mha.py

Format: one tensor per line, `<case>.<name> <shape as d0,d1,.. or -> <values, repr of float64>`. Per case the loss is
sum(output * grad_output) + sum(weights * grad_weights) (the head-averaged weights, need_weights=True); gradients
are given for query, key, value (the one input for a self-attention case) and every parameter.
"""
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "nn", "src", "test", "resources", "dev",
                   "jgrad", "nn", "mha_reference.txt")
torch.manual_seed(1414)
lines = []


def put(name, t):
    t = t.detach().to(torch.float64)
    shape = ",".join(str(d) for d in t.shape) or "-"
    lines.append(name + " " + shape + " " + " ".join(repr(x) for x in t.reshape(-1).tolist()))


def case(name, e, h, batch_first, self_attn, n, l, s, attn_mask, kpm, bias=True):
    m = torch.nn.MultiheadAttention(e, h, bias=bias, batch_first=batch_first, dtype=torch.float64)
    for p in m.parameters():  # non-zero biases, so that they are checked too
        with torch.no_grad():
            p.add_(0.1 * torch.randn_like(p))
    shape = lambda t: (n, t, e) if batch_first else (t, n, e)
    q = torch.randn(shape(l), dtype=torch.float64, requires_grad=True)
    if self_attn:
        k = v = q
    else:
        k = torch.randn(shape(s), dtype=torch.float64, requires_grad=True)
        v = torch.randn(shape(s), dtype=torch.float64, requires_grad=True)
    am = None if attn_mask is None else attn_mask
    out, w = m(q, k, v, key_padding_mask=kpm, need_weights=True, attn_mask=am)
    go, gw = torch.randn_like(out), torch.randn_like(w)
    (out * go).sum().add((w * gw).sum()).backward()
    put(name + ".config", torch.tensor([e, h, int(batch_first), int(self_attn), int(bias)], dtype=torch.float64))
    for pn, p in m.named_parameters():
        put(name + ".param." + pn, p)
    put(name + ".query", q)
    if not self_attn:
        put(name + ".key", k)
        put(name + ".value", v)
    if am is not None:
        put(name + ".attn_mask", am)
    if kpm is not None:
        put(name + ".key_padding_mask", kpm.to(torch.float64))
    put(name + ".output", out)
    put(name + ".weights", w)
    put(name + ".grad_output", go)
    put(name + ".grad_weights", gw)
    put(name + ".grad.query", q.grad)
    if not self_attn:
        put(name + ".grad.key", k.grad)
        put(name + ".grad.value", v.grad)
    for pn, p in m.named_parameters():
        put(name + ".grad.param." + pn, p.grad)


# cross-attention, batch first, an additive mask and key padding
kpm = torch.tensor([[False, False, True, False], [False, True, False, True]])
case("cross", 8, 2, True, False, 2, 3, 4, torch.randn(3, 4, dtype=torch.float64), kpm)
# self-attention, sequence first, a causal additive mask, no key padding
causal = torch.zeros(5, 5, dtype=torch.float64).masked_fill(torch.ones(5, 5, dtype=torch.bool).triu(1), float("-inf"))
case("self", 6, 3, False, True, 2, 5, 5, causal, None)
# no bias, no masks
case("nobias", 4, 1, True, False, 3, 2, 3, None, None, bias=False)

with open(OUT, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote %d tensors to %s" % (len(lines), os.path.normpath(OUT)))
