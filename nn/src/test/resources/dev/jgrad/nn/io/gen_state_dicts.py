#!/usr/bin/python3
"""Generates the PyTorch state dicts that StateDictInteropTest loads (run once; CI has no Python).

Run with /usr/bin/python3 (torch 1.13) from the repository root:

    nn/src/test/resources/dev/jgrad/nn/io/gen_state_dicts.py

It writes nn/src/test/resources/dev/jgrad/nn/io/statedicts/*.safetensors and expected.json.

The `safetensors` Python package is not installed here, so save_file below writes the format by hand exactly as
safetensors.torch.save_file(tensors, path, metadata) does (safetensors/src/tensor.rs, `prepare`): tensors sorted by
decreasing dtype alignment (the reference Dtype enum order below, reversed) and then by name; the header is compact
JSON (serde_json: no spaces, non-ASCII kept) holding "__metadata__" first when metadata is given and then one
{"dtype", "shape", "data_offsets"} entry per tensor in data order, padded with spaces to a multiple of 8 bytes and
preceded by its length as an unsigned 64-bit little-endian integer; the data region is each tensor's bytes
(row-major, little-endian), back to back.
"""
import json
import os
import struct
import sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "statedicts")
# the reference implementation's Dtype enum, in increasing alignment order
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
               "I64", "U64"]
NAMES = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32", torch.float64: "F64",
         torch.int64: "I64", torch.int32: "I32"}
DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}

assert sys.byteorder == "little"


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype in (torch.float16, torch.bfloat16):  # numpy has no bfloat16: take the raw 16-bit patterns
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def save_file(tensors, path, metadata=None, order=None, header_order=None):
    """safetensors.torch.save_file; `order` (names) overrides the data layout and `header_order` the order of the
    header entries, to make valid files in other layouts than the reference writer's."""
    if order is None:
        order = sorted(tensors, key=lambda k: (-DTYPE_ORDER.index(NAMES[tensors[k].dtype]), k))
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for k in order:
        b = tensor_bytes(tensors[k])
        header[k] = {"dtype": NAMES[tensors[k].dtype], "shape": list(tensors[k].shape),
                     "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    if header_order is not None:
        header = {k: header[k] for k in (["__metadata__"] if metadata is not None else []) + header_order}
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def mlp():
    torch.manual_seed(1)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()


def bn_model():
    torch.manual_seed(2)
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)).double()
    with torch.no_grad():
        m[1].weight.uniform_(0.5, 1.5)
        m[1].bias.uniform_(-0.5, 0.5)
        m.train()
        for _ in range(3):  # running statistics and num_batches_tracked = 3
            m(torch.randn(6, 3, dtype=torch.float64))
    return m.eval()


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(3)
    x = torch.randn(5, 3, dtype=torch.float64)
    expected = {"input": x.flatten().tolist(), "input_shape": list(x.shape), "models": {}}
    for name, build in (("mlp", mlp), ("bn", bn_model)):
        for dt, tdt in DTYPES.items():
            m = build()
            sd = {k: (v.to(tdt) if v.is_floating_point() else v) for k, v in m.state_dict().items()}
            meta = {"format": "pt"} if name == "bn" else None
            save_file(sd, os.path.join(OUT, "%s_%s.safetensors" % (name, dt)), meta)
            # the forward pass in float64 of the stored (rounded) weights, which jgrad loads exactly
            ref = build()
            ref.load_state_dict({k: v.to(torch.float64) if v.is_floating_point() else v for k, v in sd.items()})
            with torch.no_grad():
                y = ref.eval()(x)
            expected["models"]["%s_%s" % (name, dt)] = {
                "output": y.flatten().tolist(), "output_shape": list(y.shape),
                "keys": list(sd.keys())}
    # a valid file in another layout: data in state_dict order, header entries in reverse order
    sd = {k: v.to(torch.float32) for k, v in mlp().state_dict().items()}
    save_file(sd, os.path.join(OUT, "mlp_F32_unsorted.safetensors"), None, order=list(sd),
              header_order=list(reversed(list(sd))))

    # torch's float32 -> float16 / bfloat16 rounding of edge values (as float32 bit patterns)
    vals = [0.0, -0.0, 1.0, -1.0, 65504.0, 65519.0, 65520.0, 65536.0, 1e6, -1e6, 5.960464477539063e-08,
            2.980232238769531e-08, 2.9802326e-08, 1e-8, 6.103515625e-05, 6.1e-05, 1.0009765625, 1.00048828125,
            1.00146484375, 1.0000001, 3.3895314e38, 3.4028235e38, 1e-40, 1e-45, 1.00390625, 1.01171875,
            1.0078125, 0.1, 1 / 3, float("inf"), float("-inf"), float("nan"), 2049.0, 2051.0, -2051.0]
    f = torch.tensor(vals, dtype=torch.float32)
    expected["rounding"] = {
        "float32_bits": f.view(torch.int32).tolist(),
        "f16_bits": [b & 0xFFFF for b in f.to(torch.float16).view(torch.int16).tolist()],
        "bf16_bits": [b & 0xFFFF for b in f.to(torch.bfloat16).view(torch.int16).tolist()],
    }
    with open(os.path.join(OUT, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
