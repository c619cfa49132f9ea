#!/usr/bin/python3
"""Generates the PyTorch-trained tiny CNN that CnnStateDictTest loads (run once; CI has no Python).

Run with /usr/bin/python3 (torch 1.13) from the repository root:

    nn/src/test/resources/dev/jgrad/nn/io/gen_cnn_state_dict.py

The network is jgrad's Cnn.of(1, 8, 8, 3, 4, 8, 16, 0.25, ...) written in PyTorch; it is trained for a few Adam
steps on random data (so the batch-norm running statistics and num_batches_tracked move), then its state dict is
written as plain safetensors (save_file of gen_state_dicts.py) in F32 and F64, with the float64 eval-mode logits of
the stored weights on a fixed input in cnn_expected.json.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_state_dicts import OUT, save_file  # noqa: E402


def cnn():
    nn = torch.nn
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, 4, 3, 1, 1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, 1, 1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32, 16), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(16, 3))


def main():
    torch.manual_seed(14)
    m = cnn()
    opt = torch.optim.Adam(m.parameters(), lr=0.05)
    m.train()
    for _ in range(5):
        x = torch.randn(16, 64) * 2 + 0.5
        y = torch.randint(0, 3, (16,))
        opt.zero_grad()
        torch.nn.functional.cross_entropy(m(x), y).backward()
        opt.step()
    m.eval()
    x = torch.randn(6, 64, dtype=torch.float64)
    expected = {"input": x.flatten().tolist(), "input_shape": list(x.shape), "models": {}}
    for dt, tdt in (("F32", torch.float32), ("F64", torch.float64)):
        sd = {k: (v.to(tdt) if v.is_floating_point() else v) for k, v in m.state_dict().items()}
        save_file(sd, os.path.join(OUT, "cnn_%s.safetensors" % dt))
        ref = cnn().double()
        ref.load_state_dict({k: v.to(torch.float64) if v.is_floating_point() else v for k, v in sd.items()})
        with torch.no_grad():
            out = ref.eval()(x)
        expected["models"]["cnn_" + dt] = {"output": out.flatten().tolist(), "output_shape": list(out.shape),
                                          "keys": list(sd.keys())}
    with open(os.path.join(OUT, "cnn_expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
