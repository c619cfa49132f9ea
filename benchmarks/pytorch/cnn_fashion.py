#!/usr/bin/python3
"""The Fashion-MNIST CNN of `jgrad train --model cnn`, in PyTorch, with the same budget: timing and training.

Network (jgrad's Cnn.small, same layers, initialisation and state-dict names):

    nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 32, 3, 1, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 10))

Budget (jgrad's defaults for --model cnn): AdamW lr 1e-3, weight decay 1e-4, cosine annealing per epoch to 0 over
15 epochs, batch 128 shuffled, pixels scaled to [0, 1], float32, training images flipped left-right with p = 0.5
(jgrad's --augment flip; --augment none turns it off, shift=K adds jgrad's random shifts).

Run with Debian's torch (1.13) and OpenBLAS's autodetection (see ../../shared/bench/README.md):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 cnn_fashion.py --threads 1 --steps 60
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 cnn_fashion.py --threads 1 --epochs 15 --seed 1

--steps N times N training steps (after 10 warm-up steps) on a fixed random batch at learning rate 0, the
workload of jgrad's CnnStepBenchmark, and prints the median ms per step and the implied 469-step epoch; --epochs
trains on the real data and prints per-epoch time and test accuracy.
"""
import argparse
import gzip
import math
import os
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def cnn():
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 32, 3, 1, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 10))


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = [struct.unpack(">I", data[4 + 4 * i:8 + 4 * i])[0] for i in range(magic & 0xFF)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def load(root, train):
    p = "train" if train else "t10k"
    x = idx(os.path.join(root, p + "-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255.0
    y = idx(os.path.join(root, p + "-labels-idx1-ubyte.gz")).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def step(model, opt, x, y):
    opt.zero_grad(set_to_none=False)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss


def time_steps(n, batch):
    torch.manual_seed(0)
    model = cnn().train()
    opt = torch.optim.AdamW(model.parameters(), lr=0.0, weight_decay=1e-4)
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))
    for _ in range(10):
        step(model, opt, x, y)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        step(model, opt, x, y)
        times.append(time.perf_counter() - t0)
    ms = 1e3 * statistics.median(times)
    print("pytorch %s, %d threads: CNN train step batch %d: median %.2f ms (min %.2f) over %d steps; epoch of 469 steps ≈ %.1f s"
          % (torch.__version__, torch.get_num_threads(), batch, ms, 1e3 * min(times), n, 469 * ms / 1e3))


def parse_augment(spec):
    """jgrad's --augment form: none, or a comma-separated list of flip (p = 0.5), flip=P, shift=K."""
    flip_p, shift = 0.0, 0
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if part == "none":
            continue
        if part == "flip":
            flip_p = 0.5
        elif part.startswith("flip="):
            flip_p = float(part[5:])
        elif part.startswith("shift="):
            shift = int(part[6:])
        else:
            raise SystemExit("unknown transform %r" % part)
    return flip_p, shift


def augment(x, flip_p, shift, gen):
    """jgrad's ImageAugmentation: per sample a left-right flip with probability flip_p, then a shift by dx, dy in
    [-shift, shift] with zero fill (the draws are PyTorch's own, so the same recipe, not the same samples)."""
    if flip_p == 0 and shift == 0:
        return x
    img = x.view(-1, 28, 28)
    flips = torch.rand(len(img), generator=gen) < flip_p
    img = torch.where(flips[:, None, None], img.flip(2), img)
    if shift:
        padded = F.pad(img, (shift, shift, shift, shift))
        d = torch.randint(0, 2 * shift + 1, (len(img), 2), generator=gen)
        s = 2 * shift - d  # out(y, x) = in(y - dy, x - dx) = padded(y + shift - dy, ...), d = (dx, dy) + shift
        img = torch.stack([padded[i, s[i, 1]:s[i, 1] + 28, s[i, 0]:s[i, 0] + 28] for i in range(len(img))])
    return img.reshape(-1, 784)


def train(args):
    torch.manual_seed(args.seed)
    xtr, ytr = load(args.data, True)
    xte, yte = load(args.data, False)
    model = cnn()
    gen = torch.Generator().manual_seed(args.seed)
    flip_p, shift = parse_augment(args.augment)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    print("pytorch %s, %d threads, %d parameters" % (torch.__version__, torch.get_num_threads(),
                                                     sum(p.numel() for p in model.parameters())))
    for epoch in range(args.epochs):
        for g in opt.param_groups:  # CosineAnnealingLR(T_max=epochs, eta_min=0) closed form, set per epoch
            g["lr"] = 1e-3 * (1 + math.cos(math.pi * epoch / args.epochs)) / 2
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), args.batch):
            b = perm[i:i + args.batch]
            step(model, opt, augment(xtr[b], flip_p, shift, gen), ytr[b])
        seconds = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            correct = sum((model(xte[i:i + 512]).argmax(1) == yte[i:i + 512]).sum().item() for i in range(0, len(xte), 512))
        print("epoch %2d  lr %.6f  %.1f s  test acc %.4f" % (epoch + 1, opt.param_groups[0]["lr"], seconds, correct / len(xte)),
              flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=0, help="time this many steps on a random batch (no training)")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--augment", default="flip", help="as jgrad's --augment: none, flip, flip=P, shift=K (default flip)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.steps:
        time_steps(args.steps, args.batch)
    else:
        train(args)


if __name__ == "__main__":
    main()
