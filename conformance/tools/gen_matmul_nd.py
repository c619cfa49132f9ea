#!/usr/bin/env python3
"""Writes cases/matmul_nd.json (format loss-conformance/1): the N-D forms of matmul, bmm and linear, from PyTorch 1.13.

Forms: torch.matmul with 1-D operands on either side (1-D.1-D dot, 1-D.N-D, N-D.1-D), batched products with broadcast
batch dimensions ([B,1,M,K].[C,K,N], [M,K].[B,K,N], [1,M,K].[B,K,N], ...), torch.bmm, and F.linear with a 1-D weight
(with a 0-D bias for a 1-D input, the only bias PyTorch 1.13 accepts there). Edge cases: zero-size batch, row and inner
dimensions, and inf/NaN entries. Every case in float32 and float64; every floating input is differentiable.

Tolerances as FORMAT.md says: float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 / atol 1e-12; a float32 case whose
output or gradients miss a float64 recomputation (of the same float32 inputs) by more than a quarter of the tolerance
gets the next 1/2/5 x 10^k atol.

Run from the repository root: /usr/bin/python3 conformance/tools/gen_matmul_nd.py
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'main', 'resources', 'dev', 'jgrad',
                   'conformance', 'cases', 'matmul_nd.json')
TORCH_DTYPE = {'float32': torch.float32, 'float64': torch.float64}
BASE_TOL = {'float32': (1e-5, 1e-6), 'float64': (1e-10, 1e-12)}

rng = torch.Generator().manual_seed(1313)


def value(v, dtype):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return float(repr(np.float32(v))) if dtype == 'float32' else float(v)


def encode(t, dtype):
    return {'dtype': dtype, 'shape': list(t.shape), 'data': [value(float(v), dtype) for v in t.detach().reshape(-1).tolist()]}


def evaluate(fn, inputs, go):
    leaves = {k: v.detach().clone().requires_grad_(True) for k, v in inputs.items()}
    y = fn(**leaves)
    y.backward(go)
    grads = {k: (leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)) for k, leaf in leaves.items()}
    return y.detach(), grads


def within(ref, got, rtol, atol):
    for r, g in zip(ref.reshape(-1).tolist(), got.reshape(-1).tolist()):
        if math.isnan(r) or math.isinf(r):
            if not (math.isnan(g) and math.isnan(r)) and r != g:
                return False
            continue
        if not math.isfinite(g) or 4 * abs(r - g) > atol + rtol * abs(r):
            return False
    return True


def raise_atol(atol):
    exp = math.floor(math.log10(atol) + 1e-9)
    for step in (2, 5, 10):
        cand = float('%.0e' % (step * 10.0 ** exp))
        if cand > atol:
            return cand
    return float('%.0e' % (10.0 ** (exp + 1)))


CASES = []
COUNT = {}


def case(name, op, fn, inputs, note=None):
    """Adds the case in both dtypes; inputs are float64 tensors (rounded to float32 for the float32 case)."""
    for dtype in ('float32', 'float64'):
        dt = TORCH_DTYPE[dtype]
        ins = {k: v.to(dt) for k, v in inputs.items()}
        shape = fn(**{k: v.detach() for k, v in ins.items()}).shape
        go = (torch.rand(tuple(shape), generator=rng, dtype=torch.float64) + 0.5).to(dt)
        y, grads = evaluate(fn, ins, go)
        rtol, atol = BASE_TOL[dtype]
        if dtype == 'float32':
            y64, g64 = evaluate(fn, {k: v.double() for k, v in ins.items()}, go.double())
            pairs = [(y64, y.double())] + [(g64[k], grads[k].double()) for k in ins]
            while not all(within(r, g, rtol, atol) for r, g in pairs):
                atol = raise_atol(atol)
        key = (name, dtype)
        idx = COUNT.get(key, 0)
        COUNT[key] = idx + 1
        c = {'name': '%s/%s/%d' % (name, dtype, idx), 'op': op, 'dtype': dtype,
             'inputs': {k: encode(v, dtype) for k, v in ins.items()}, 'options': {},
             'requires_grad': list(ins), 'output': encode(y, dtype), 'grad_output': encode(go, dtype),
             'grads': {k: encode(grads[k], dtype) for k in ins}, 'tol': {'rtol': rtol, 'atol': atol}}
        if note:
            c['note'] = note
        CASES.append(c)


def randn(*shape):
    return torch.randn(shape, generator=rng, dtype=torch.float64)


def matmul(input, other):
    return torch.matmul(input, other)


def bmm(input, mat2):
    return torch.bmm(input, mat2)


def linear(input, weight, bias=None):
    return F.linear(input, weight, bias)


def sx(shape):
    return 'x'.join(str(d) for d in shape) if shape else 'scalar'


# ---------------------------------------------------------------- matmul, every form
FORMS = [
    ((5,), (5,)),                    # dot: 0-d output
    ((4,), (4, 3)),                  # 1-D . 2-D
    ((3, 4), (4,)),                  # 2-D . 1-D
    ((2, 3, 4), (4,)),               # N-D . 1-D: append 1, removed
    ((3,), (2, 3, 4)),               # 1-D . N-D: prepend 1, removed
    ((3,), (2, 2, 3, 4)),
    ((2, 3, 4), (4, 5)),             # [..,M,K].[K,N]
    ((2, 3), (4, 3, 5)),             # [M,K].[B,K,N]
    ((2, 3), (4, 2, 3, 5)),
    ((3, 2, 4), (3, 4, 5)),          # equal batches
    ((4, 1, 2, 3), (5, 3, 2)),       # [B,1,M,K].[C,K,N] -> [B,C,M,N]
    ((2, 1, 3, 4), (1, 3, 4, 2)),
    ((1, 2, 4), (3, 4, 5)),
    ((3, 2, 4), (1, 4, 5)),
    ((2, 4, 8, 16), (2, 4, 16, 8)),  # attention-like
    ((2, 3, 40), (2, 40, 3)),        # a longer inner dimension
]
for a, b in FORMS:
    case('matmul/nd/%s_%s' % (sx(a), sx(b)), 'matmul', matmul, {'input': randn(*a), 'other': randn(*b)})

# zero-size dimensions
for a, b in [((0, 3), (2, 3, 4)), ((2, 3, 0), (2, 0, 4)), ((0, 2, 3), (0, 3, 4)), ((2, 0, 3), (3,)), ((3,), (2, 3, 0))]:
    case('matmul/edge/empty/%s_%s' % (sx(a), sx(b)), 'matmul', matmul, {'input': randn(*a), 'other': randn(*b)})

# non-finite entries in a batched product
a = randn(2, 2, 3)
a[0, 0, 1] = math.inf
a[1, 1, 2] = math.nan
b = randn(2, 3, 2)
b[1, 0, 0] = -math.inf
case('matmul/edge/nonfinite', 'matmul', matmul, {'input': a, 'other': b},
     note='inf and NaN spread along their rows and columns; inf - inf and 0*inf are NaN (IEEE), also in the gradients')

# ---------------------------------------------------------------- bmm
case('bmm/random/3x2x4_3x4x5', 'bmm', bmm, {'input': randn(3, 2, 4), 'mat2': randn(3, 4, 5)})
case('bmm/random/1x1x1_1x1x1', 'bmm', bmm, {'input': randn(1, 1, 1), 'mat2': randn(1, 1, 1)})
case('bmm/edge/empty/0x2x3_0x3x4', 'bmm', bmm, {'input': randn(0, 2, 3), 'mat2': randn(0, 3, 4)})

# ---------------------------------------------------------------- linear with a 1-D weight
case('linear/vector_weight/no_bias/2x3x4', 'linear', linear, {'input': randn(2, 3, 4), 'weight': randn(4)})
case('linear/vector_weight/no_bias/3x4', 'linear', linear, {'input': randn(3, 4), 'weight': randn(4)})
case('linear/vector_weight/bias/4', 'linear', linear, {'input': randn(4), 'weight': randn(4), 'bias': randn()})

# the Debian package python3-torch 1.13.1 reports its version as 1.13.0a0; the reference is the release it packages
doc = {'format': 'loss-conformance/1', 'reference': 'torch 1.13.1 (CPU)', 'cases': CASES}
with open(OUT, 'w') as f:
    f.write('{\n  "format": %s,\n  "reference": %s,\n  "cases": [\n' % (json.dumps(doc['format']), json.dumps(doc['reference'])))
    f.write(',\n'.join('    ' + json.dumps(c) for c in CASES))
    f.write('\n  ]\n}\n')
print('%d cases -> %s' % (len(CASES), os.path.normpath(OUT)))
