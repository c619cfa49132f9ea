#!/usr/bin/env python3
"""Generates cases/elementwise_nd.json (format loss-conformance/1) with PyTorch 1.13 on CPU.

Ops: leaky_relu, elu, silu, hardtanh, log1p, expm1, square, rsqrt, minimum, maximum (broadcasting) and the
comparisons eq/ne/lt/le/gt/ge (tensor-tensor with broadcasting, and tensor-scalar via the option "other"),
each in float32 and float64. Comparison outputs (torch.bool) are written as 1.0/0.0 in the input's dtype, as
jgrad returns them; they have "requires_grad": [] and an all-zero grad_output.

Tolerances follow FORMAT.md: float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 / atol 1e-12. Each float32 case
is checked against a float64 re-computation of the same (float32) inputs with 4x head-room; where that fails,
atol is raised to the next 1/2/5 x 10^k.

Edge tensors with NaN inputs to elu/hardtanh are kept shorter than one vector block, so PyTorch takes its scalar
kernel (gradient g at NaN for both); its vectorised CPU path gives NaN (elu) and 0 (hardtanh) there instead.

Run: /usr/bin/python3 conformance/tools/gen_elementwise_nd.py  (from the repository root)
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'main', 'resources', 'dev', 'jgrad', 'conformance',
                   'cases', 'elementwise_nd.json')
DTYPES = {'float32': torch.float32, 'float64': torch.float64}
TOL = {'float32': (1e-5, 1e-6), 'float64': (1e-10, 1e-12)}
INF, NAN = math.inf, math.nan

gen = torch.Generator().manual_seed(13)


def num(v, dtype):
    if math.isnan(v):
        return '"nan"'
    if math.isinf(v):
        return '"inf"' if v > 0 else '"-inf"'
    s = repr(np.float32(v)) if dtype == 'float32' else repr(float(v))
    if s in ('0.0', '-0.0'):
        return s
    return s


def tensor(t, dtype):
    flat = t.detach().reshape(-1).tolist()
    return '{"dtype": "%s", "shape": %s, "data": [%s]}' % (
        dtype, json.dumps(list(t.shape)), ','.join(num(float(v), dtype) for v in flat))


def next_atol(a):
    k = math.floor(math.log10(a))
    for m in (1, 2, 5, 10):
        c = m * 10.0 ** k
        if c > a * (1 + 1e-9):
            return float('%.0e' % c)
    return float('%.0e' % (10 * 10.0 ** k))


def fits(ref, val, rtol, atol):
    ref = ref.reshape(-1).tolist()
    val = val.reshape(-1).tolist()
    for r, v in zip(ref, val):
        if math.isnan(r) or math.isinf(r) or abs(r) > float(np.finfo(np.float32).max):
            continue  # non-finite, or beyond float32's range: compared exactly by the reader, not by tolerance
        if math.isnan(v) or math.isinf(v):
            return False
        if 4 * abs(r - v) > atol + rtol * abs(r):
            return False
    return True


def run(fn, inputs, grad_names, go):
    leaves = {k: v.detach().clone().requires_grad_(k in grad_names) for k, v in inputs.items()}
    y = fn(leaves)
    grads = {}
    if grad_names:
        y.backward(go)
        grads = {k: leaves[k].grad if leaves[k].grad is not None else torch.zeros_like(leaves[k]) for k in grad_names}
    return y.detach(), grads


CASES = []


def add(name, op, dtype, fn, inputs, options=None, grad_names=None, note=None, mask=False):
    dt = DTYPES[dtype]
    inputs = {k: v.to(dt) for k, v in inputs.items()}
    if grad_names is None:
        grad_names = [] if mask else list(inputs)
    probe = fn({k: v.detach() for k, v in inputs.items()})
    go = torch.zeros(probe.shape, dtype=dt) if mask else (torch.rand(probe.shape, generator=gen, dtype=torch.float64) + 0.5).to(dt)
    y, grads = run(fn, inputs, grad_names, go)
    if mask:
        y = y.to(dt)
    rtol, atol = TOL[dtype]
    if dtype == 'float32' and not mask:  # masks are exact: nothing to justify
        y64, g64 = run(fn, {k: v.double() for k, v in inputs.items()}, grad_names, go.double())
        pairs = [(y64, y.double())] + [(g64[k], grads[k].double()) for k in grad_names]
        while not all(fits(r, v, rtol, atol) for r, v in pairs):
            atol = next_atol(atol)
            if atol > 1e-3:
                raise SystemExit('%s/%s: float32 values disagree with the float64 recomputation' % (name, dtype))
    lines = ['    {', '      "name": "%s/%s/%d",' % (name, dtype, sum(1 for c in CASES if c[0] == name and c[1] == dtype)),
             '      "op": "%s",' % op, '      "dtype": "%s",' % dtype, '      "inputs": {']
    items = list(inputs.items())
    for i, (k, v) in enumerate(items):
        lines.append('        "%s": %s%s' % (k, tensor(v, dtype), ',' if i < len(items) - 1 else ''))
    lines.append('      },')
    lines.append('      "options": %s,' % json.dumps(options or {}))
    lines.append('      "requires_grad": %s,' % json.dumps(grad_names))
    lines.append('      "output": %s,' % tensor(y, dtype))
    lines.append('      "grad_output": %s,' % tensor(go, dtype))
    if grad_names:
        lines.append('      "grads": {')
        for i, k in enumerate(grad_names):
            lines.append('        "%s": %s%s' % (k, tensor(grads[k], dtype), ',' if i < len(grad_names) - 1 else ''))
        lines.append('      },')
    else:
        lines.append('      "grads": {},')
    tol = '      "tol": {"rtol": %s, "atol": %s}' % (repr(rtol), repr(atol))
    if note:
        lines.append(tol + ',')
        lines.append('      "note": %s' % json.dumps(note))
    else:
        lines.append(tol)
    lines.append('    }')
    CASES.append((name, dtype, '\n'.join(lines)))


def randn(*shape, scale=1.0):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float64) * scale


def ints(lo, hi, *shape):
    return torch.randint(lo, hi, tuple(shape), generator=gen).to(torch.float64)


UNARY = {
    'leaky_relu': lambda o: (lambda d: F.leaky_relu(d['input'], o.get('negative_slope', 0.01))),
    'elu': lambda o: (lambda d: F.elu(d['input'], o.get('alpha', 1.0))),
    'silu': lambda o: (lambda d: F.silu(d['input'])),
    'hardtanh': lambda o: (lambda d: F.hardtanh(d['input'], o.get('min_val', -1.0), o.get('max_val', 1.0))),
    'log1p': lambda o: (lambda d: torch.log1p(d['input'])),
    'expm1': lambda o: (lambda d: torch.expm1(d['input'])),
    'square': lambda o: (lambda d: torch.square(d['input'])),
    'rsqrt': lambda o: (lambda d: torch.rsqrt(d['input'])),
}

RANDOM_INPUTS = {
    'leaky_relu': lambda s: randn(*s, scale=3),
    'elu': lambda s: randn(*s, scale=3),
    'silu': lambda s: randn(*s, scale=4),
    'hardtanh': lambda s: randn(*s, scale=2),
    'log1p': lambda s: torch.rand(tuple(s), generator=gen, dtype=torch.float64) * 10 - 0.9,
    'expm1': lambda s: randn(*s, scale=3),
    'square': lambda s: randn(*s, scale=3),
    'rsqrt': lambda s: torch.rand(tuple(s), generator=gen, dtype=torch.float64) * 20 + 0.05,
}

OPTIONS = {
    'leaky_relu': [{}, {'negative_slope': 0.2}, {'negative_slope': -0.5}],
    'elu': [{}, {'alpha': 1.7}, {'alpha': 0.3}],
    'hardtanh': [{}, {'min_val': -0.5, 'max_val': 2.0}, {'min_val': 0.25, 'max_val': 0.25}],
}

EDGE = {
    # zeros (both signs), +-inf and nan; fewer than 8 elements for elu and hardtanh (PyTorch's scalar kernels)
    'leaky_relu': [0.0, -0.0, INF, -INF, NAN, 1e-30, -1e-30],
    'elu': [0.0, -0.0, INF, -INF, NAN, -800.0, -1e-8],
    'silu': [0.0, -0.0, INF, -INF, NAN, -800.0, 800.0, -50.0],
    'hardtanh': [-1.0, 1.0, INF, -INF, NAN, 0.0, -0.999],
    'log1p': [0.0, -0.0, -1.0, -2.0, INF, -INF, NAN, 1e-10, -1e-10],
    'expm1': [0.0, -0.0, INF, -INF, NAN, 1e-10, -1e-10, 800.0, -800.0],
    'square': [0.0, -0.0, INF, -INF, NAN, 1e200, -1e-200],
    'rsqrt': [0.0, -0.0, INF, -INF, NAN, -1.0, 1e-300, 4.0],
}
F32_EDGE_OVERRIDE = {'square': [0.0, -0.0, INF, -INF, NAN, 1e20, -1e-20], 'rsqrt': [0.0, -0.0, INF, -INF, NAN, -1.0, 1e-30, 4.0],
                     'expm1': [0.0, -0.0, INF, -INF, NAN, 1e-10, -1e-10, 100.0, -100.0]}

SHAPES = [(7,), (3, 4), (2, 3, 5), (2, 1, 3, 4), (0, 3), ()]

for dtype in DTYPES:
    for op, make in UNARY.items():
        for opts in OPTIONS.get(op, [{}]):
            for k, shape in enumerate(SHAPES):
                x = RANDOM_INPUTS[op](shape)
                if op == 'hardtanh' and opts.get('min_val') == 0.25:
                    x = torch.tensor([0.0, 0.25, 0.5, -1.0], dtype=torch.float64)
                name = op + '/random' + ''.join('/%s=%s' % (a, b) for a, b in opts.items())
                add(name, op, dtype, make(opts), {'input': x}, opts)
                if op == 'hardtanh' and opts.get('min_val') == 0.25:
                    break
        vals = F32_EDGE_OVERRIDE.get(op, EDGE[op]) if dtype == 'float32' else EDGE[op]
        for opts in OPTIONS.get(op, [{}])[:2]:
            name = op + '/edge/nonfinite' + ''.join('/%s=%s' % (a, b) for a, b in opts.items())
            note = None
            if op in ('elu', 'hardtanh'):
                note = ('NaN input: PyTorch\'s scalar kernel passes the gradient g (elu: NaN <= 0 is false; hardtanh: neither '
                        'bound test holds); its vectorised CPU path (elements inside a full vector block) gives NaN (elu) or 0 '
                        '(hardtanh) instead; jgrad follows the scalar kernel everywhere')
            add(name, op, dtype, make(opts), {'input': torch.tensor(vals, dtype=torch.float64)}, opts, note=note)
    # relu's gradient at NaN (g, PyTorch's threshold_backward), next to the existing relu cases
    add('relu/edge/nan_gradient', 'relu', dtype, lambda d: F.relu(d['input']),
        {'input': torch.tensor([NAN, 0.0, -0.0, INF, -INF, 2.0] * 4, dtype=torch.float64)},
        note='relu backward is threshold_backward(g, y, 0): y <= 0 ? 0 : g, so a NaN input passes g')
    # minimum / maximum with broadcasting, ties and NaN
    BIN = [((3, 4), (3, 4)), ((2, 3), (3,)), ((2, 1, 3), (4, 1)), ((3, 1), (1, 4)), ((), (2, 3)), ((2, 3, 4), (1,)),
           ((0, 3), (3,))]
    for op, fn in (('maximum', torch.maximum), ('minimum', torch.minimum)):
        f = (lambda fn: lambda d: fn(d['input'], d['other']))(fn)
        for sa, sb in BIN:
            add(op + '/random', op, dtype, f, {'input': randn(*sa), 'other': randn(*sb)})
        for sa, sb in BIN[:5]:
            add(op + '/edge/ties', op, dtype, f, {'input': ints(-2, 3, *sa), 'other': ints(-2, 3, *sb)},
                note='equal inputs: PyTorch gives each input g/2')
        a = torch.tensor([NAN, 1.0, NAN, INF, -INF, 0.0, -0.0, 2.0, INF, -INF], dtype=torch.float64)
        b = torch.tensor([1.0, NAN, NAN, INF, -INF, -0.0, 0.0, 2.0, -INF, INF], dtype=torch.float64)
        add(op + '/edge/nonfinite', op, dtype, f, {'input': a, 'other': b},
            note='NaN in either input: output NaN and both inputs get g (no comparison holds); equal infinities are ties')
    # comparisons
    for op in ('eq', 'ne', 'lt', 'le', 'gt', 'ge'):
        tf = (lambda op: lambda d: getattr(torch, op)(d['input'], d['other']))(op)
        for sa, sb in [((3, 4), (3, 4)), ((2, 3), (3,)), ((2, 1, 3), (4, 1)), ((), (2, 2)), ((0, 2), (2,))]:
            add(op + '/tensor', op, dtype, tf, {'input': ints(-2, 3, *sa), 'other': ints(-2, 3, *sb)}, mask=True)
        a = torch.tensor([NAN, 1.0, NAN, INF, -INF, 0.0, -0.0, 2.0, INF, -INF], dtype=torch.float64)
        b = torch.tensor([1.0, NAN, NAN, INF, -INF, -0.0, 0.0, 3.0, -INF, INF], dtype=torch.float64)
        add(op + '/tensor/edge/nonfinite', op, dtype, tf, {'input': a, 'other': b}, mask=True,
            note='NaN compares false, except ne which is true; 0.0 == -0.0')
        for c in (0.5, -1.0, 0.1):
            sf = (lambda op, c: lambda d: getattr(torch, op)(d['input'], c))(op, c)
            x = torch.tensor([NAN, INF, -INF, 0.0, -0.0, 0.5, -1.0, 0.1, 2.0], dtype=torch.float64)
            add(op + '/scalar', op, dtype, sf, {'input': x}, {'other': c}, mask=True,
                note='the scalar is compared in the input\'s dtype (0.1 rounds to float32 for float32 inputs)')

with open(OUT, 'w') as fh:
    fh.write('{\n  "format": "loss-conformance/1",\n  "reference": "torch %s (CPU)",\n  "cases": [\n' % '1.13.1')
    fh.write(',\n'.join(c[2] for c in CASES))
    fh.write('\n  ]\n}\n')
print(len(CASES), 'cases ->', os.path.normpath(OUT))
