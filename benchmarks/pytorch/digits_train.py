#!/usr/bin/python3
"""The job of `./jgrad train` (no options) as a PyTorch 1.13 script, for time to result: the whole process, from
`import torch` to the printed test accuracy, against the whole `./jgrad train` process (JVM start-up included).

Same work: the bundled UCI digits (1,797 rows of 64 pixel counts, data/src/main/resources/dev/jgrad/data/digits.csv.gz),
a seeded stratified 80/20 split (1,438 / 359 rows), features standardised with the training rows' mean and standard
deviation, an MLP 64-128-64-10 with ReLU (PyTorch's default initialisation), AdamW lr 2e-3 weight decay 1e-4, cosine
annealing per epoch over 30 epochs, batches of 32 shuffled rows, float32, cross-entropy; the test loss and accuracy
after every epoch (as jgrad's epoch lines), the final test accuracy at the end. The split and the draws are PyTorch's
own, so the accuracy is the same recipe's, not the same run's.

Time it against jgrad in one sitting, alternating, without the environment's OpenBLAS overrides:

    for i in 1 2 3 4 5; do
      /usr/bin/time -f 'jgrad %e s' ./jgrad train --quiet --no-progress
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE TORCH_THREADS=1 /usr/bin/time -f 'torch %e s' \\
          /usr/bin/python3 benchmarks/pytorch/digits_train.py --quiet
    done
"""
import time

T0 = time.time()

import argparse  # noqa: E402
import gzip  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "src", "main", "resources", "dev",
                      "jgrad", "data", "digits.csv.gz")


def stratified_split(labels, test_fraction, rng):
    train, test = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        n_test = int(round(len(idx) * test_fraction))
        test.extend(idx[:n_test])
        train.extend(idx[n_test:])
    return np.array(sorted(train)), np.array(sorted(test))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--quiet", action="store_true", help="only the final line")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
    torch.manual_seed(args.seed)
    t_import = time.time() - T0

    with gzip.open(DIGITS, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.float64)
    x_all, y_all = rows[:, :64], rows[:, 64].astype(np.int64)
    tr, te = stratified_split(y_all, 0.2, np.random.default_rng(args.seed))
    mean, std = x_all[tr].mean(0), x_all[tr].std(0)
    std[std == 0] = 1
    x_tr = torch.tensor((x_all[tr] - mean) / std, dtype=torch.float32)
    x_te = torch.tensor((x_all[te] - mean) / std, dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_all[tr]), torch.tensor(y_all[te])

    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    n = len(x_tr)
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, 32):
            b = perm[i:i + 32]
            loss = F.cross_entropy(model(x_tr[b]), y_tr[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        sched.step()
        model.eval()
        with torch.no_grad():
            out = model(x_te)
            test_loss = F.cross_entropy(out, y_te).item()
            acc = (out.argmax(1) == y_te).float().mean().item()
        if not args.quiet:
            print(f"epoch {epoch:3d}/{args.epochs}  train {total / n:.4f}  test {test_loss:.4f} acc {acc:.4f}")
    print(f"final test accuracy {acc:.4f} (test loss {test_loss:.4f}) after {args.epochs} epochs, "
          f"{time.time() - T0:.1f} s total ({t_import:.1f} s of it importing torch)")


if __name__ == "__main__":
    main()
