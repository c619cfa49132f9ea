#!/usr/bin/env python3
"""PyTorch 1.13 timings of the workloads of jgrad's ConvBenchmark: an nn.Conv2d layer (3x3, padding 1, bias) on
[128, 1, 28, 28] -> 32 channels and [128, 32, 14, 14] -> 64 channels, float32, forward only (parameters require
grad, the input does not) and forward + backward of sum(y * upstream) (input, weight and bias gradients).

Method (as /work/shared/bench/side_by_side.py): 2 s warm-up, 7 samples of at least 0.25 s each, median
microseconds per call. Run with Debian's torch and OpenBLAS's OpenMP build, at 1 and 2 threads, without the
environment's OpenBLAS overrides:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE TORCH_THREADS=1 /usr/bin/python3 benchmarks/pytorch/conv_reference.py
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE TORCH_THREADS=2 /usr/bin/python3 benchmarks/pytorch/conv_reference.py

Prints one JSON object per workload: {"workload", "threads", "median_us", "samples_us"}.
"""
import json
import os
import statistics
import time

import torch

torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
WARM_S, SAMPLES, SAMPLE_S = 2.0, 7, 0.25
SHAPES = [((128, 1, 28, 28), 32), ((128, 32, 14, 14), 64)]


def timeit(f):
    end = time.perf_counter() + WARM_S
    while time.perf_counter() < end:
        f()
    out = []
    for _ in range(SAMPLES):
        n = 0
        t0 = t1 = time.perf_counter()
        while t1 - t0 < SAMPLE_S:
            f()
            n += 1
            t1 = time.perf_counter()
        out.append((t1 - t0) / n * 1e6)
    return statistics.median(out), out


def workloads(shape, out_channels):
    g = torch.Generator().manual_seed(14)
    conv = torch.nn.Conv2d(shape[1], out_channels, 3, padding=1)
    x = torch.rand(shape, generator=g) * 2 - 1
    xg = x.clone().requires_grad_(True)
    up = torch.rand((shape[0], out_channels, shape[2], shape[3]), generator=g) * 2 - 1

    def forward():
        return conv(x)

    def forward_backward():
        conv.zero_grad(set_to_none=True)
        xg.grad = None
        conv(xg).backward(up)
        return conv.weight.grad

    name = "x".join(map(str, shape)) + "@%d" % out_channels
    return [("forward " + name, forward), ("forwardBackward " + name, forward_backward)]


if __name__ == "__main__":
    for shape, oc in SHAPES:
        for name, f in workloads(shape, oc):
            med, samples = timeit(f)
            print(json.dumps({"workload": name, "threads": torch.get_num_threads(), "median_us": round(med, 1),
                              "samples_us": [round(s, 1) for s in samples]}), flush=True)
