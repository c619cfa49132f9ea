#!/usr/bin/env python3
"""Writes nn/src/test/resources/dev/jgrad/nn/encoder_layer_reference.txt: PyTorch 1.13 nn.TransformerEncoderLayer
(float64, seeded, dropout 0) with its parameters, input, output and gradients, for TransformerEncoderLayerTest. Run
from the repository root:

    /usr/bin/python3 conformance/tools/gen_encoder_layer.py

Format as gen_mha.py: one tensor per line, `<case>.<name> <shape as d0,d1,.. or -> <values, repr of float64>`.
Per case the loss is sum(output * grad_output); gradients are given for the input and every parameter.
"""
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "nn", "src", "test", "resources", "dev",
                   "jgrad", "nn", "encoder_layer_reference.txt")
torch.manual_seed(1415)
lines = []


def put(name, t):
    t = t.detach().to(torch.float64)
    shape = ",".join(str(d) for d in t.shape) or "-"
    lines.append(name + " " + shape + " " + " ".join(repr(x) for x in t.reshape(-1).tolist()))


def case(name, e, h, f, act, norm_first, batch_first, n, s, mask, kpm):
    m = torch.nn.TransformerEncoderLayer(e, h, f, dropout=0.0, activation=act, batch_first=batch_first,
                                         norm_first=norm_first, dtype=torch.float64)
    m.train()  # the regular (not the fused inference) path
    for p in m.parameters():  # non-trivial biases and norm weights, so that they are checked too
        with torch.no_grad():
            p.add_(0.1 * torch.randn_like(p))
    x = torch.randn((n, s, e) if batch_first else (s, n, e), dtype=torch.float64, requires_grad=True)
    out = m(x, src_mask=mask, src_key_padding_mask=kpm)
    go = torch.randn_like(out)
    (out * go).sum().backward()
    put(name + ".config", torch.tensor([e, h, f, int(act == "gelu"), int(norm_first), int(batch_first)], dtype=torch.float64))
    for pn, p in m.named_parameters():
        put(name + ".param." + pn, p)
    put(name + ".src", x)
    if mask is not None:
        put(name + ".src_mask", mask)
    if kpm is not None:
        put(name + ".src_key_padding_mask", kpm.to(torch.float64))
    put(name + ".output", out)
    put(name + ".grad_output", go)
    put(name + ".grad.src", x.grad)
    for pn, p in m.named_parameters():
        put(name + ".grad.param." + pn, p.grad)


causal = torch.zeros(5, 5, dtype=torch.float64).masked_fill(torch.ones(5, 5, dtype=torch.bool).triu(1), float("-inf"))
# pre-norm, batch first, gelu, causal mask (the block of the character transformer)
case("prenorm", 8, 2, 16, "gelu", True, True, 2, 5, causal, None)
# pre-norm, relu, key padding
case("padding", 6, 3, 12, "relu", True, True, 2, 4, None, torch.tensor([[False, False, True, True], [False, False, False, False]]))
# post-norm (PyTorch's default), sequence first, no masks
case("postnorm", 4, 1, 8, "relu", False, False, 3, 3, None, None)

with open(OUT, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote %d tensors to %s" % (len(lines), os.path.normpath(OUT)))
