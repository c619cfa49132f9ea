#!/usr/bin/python3
"""Fits the two polynomials of the float32 SIMD exact GELU (core.kernel.SimdElementwise.gelu) and prints them.

    erf(z)             ~ z * P(z^2),  |z| < 0.5,  P of degree 4
    erfc(a) * exp(a^2) ~ t * Q(t),    t = 1/(1 + a/2),  0.5 <= a <= 10,  Q of degree 8

Both are least-squares fits in relative error on Chebyshev nodes; Q is refined by Lawson's reweighting (a few
rounds towards the minimax fit). Needs numpy and scipy (scipy.special.erfcx, the scaled complementary error
function); the build never runs this script. Usage: core/tools/fit_gelu.py
"""
import numpy as np
from scipy.special import erf, erfcx


def chebyshev_nodes(lo, hi, n):
    k = np.arange(n)
    return (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / n)


def fit_erf(degree=4, n=2000):
    u = chebyshev_nodes(0.0, 0.25, n)  # u = z^2
    z = np.sqrt(u)
    target = erf(z) / z
    a = np.vander(u, degree + 1, increasing=True)
    c, *_ = np.linalg.lstsq(a / target[:, None], np.ones(n), rcond=None)
    zz = np.linspace(1e-6, 0.5, 200001)
    err = np.abs(np.polyval(c[::-1], zz * zz) * zz / erf(zz) - 1).max()
    return c, err


def fit_erfcx(degree=8, lo=0.5, hi=10.0, n=4000, rounds=30):
    t_of = lambda a: 1 / (1 + 0.5 * a)
    t = chebyshev_nodes(t_of(hi), t_of(lo), n)
    a = 2 * (1 / t - 1)
    target = erfcx(a) / t
    v = np.vander(t, degree + 1, increasing=True)
    w = np.ones(n)
    for _ in range(rounds):
        c, *_ = np.linalg.lstsq(v * (w / target)[:, None], w, rcond=None)
        err = np.abs(v @ c / target - 1)
        w = w * err
        w = w / w.sum() * n
    aa = np.linspace(lo, hi, 200001)
    err = np.abs(np.polyval(c[::-1], t_of(aa)) * t_of(aa) / erfcx(aa) - 1).max()
    return c, err


def java(prefix, c):
    return ", ".join("%s%d = %.9ef" % (prefix, k, v) for k, v in enumerate(c))


if __name__ == "__main__":
    c, e = fit_erf()
    print("erf:   max relative error %.2e\n  %s" % (e, java("E", c)))
    c, e = fit_erfcx()
    print("erfcx: max relative error %.2e\n  %s" % (e, java("Q", c)))
