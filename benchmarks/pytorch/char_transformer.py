#!/usr/bin/env python3
"""The PyTorch 1.13 twin of `jgrad train --dataset words --model transformer`: the same tiny character-level
transformer (token + learned position embeddings, N pre-norm nn.TransformerEncoderLayer blocks with a causal mask,
ReLU, feed-forward 4*dim, no dropout, final LayerNorm, Linear head; PyTorch's own initialisation, which jgrad's
layers copy), the same data policy (the bundled word list, split 90/10 by a seeded shuffle; makemore encoding: one
row of block_size = longest word + 1 tokens per word, targets -1 at padding), the same training (AdamW lr 1e-3,
weight decay 0.01, batches of 32 words drawn uniformly at random, float32) and the same report (train/test loss per
character every --eval-every steps, mean time per step excluding evaluation, sampled words at the end).

Run from the repository root, without the environment's OpenBLAS overrides (see /work/shared/bench/README.md):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE TORCH_THREADS=1 /usr/bin/python3 benchmarks/pytorch/char_transformer.py --steps 2000

By default the split, the batches and the initial weights come from PyTorch's generator (seed --seed), so they are
not the same draws as jgrad's: the same model trained the same way, not identical runs.

--replay DIR replays a run that jgrad recorded (`./jgrad train --dataset words --dump-run DIR ...`) from the same start:
jgrad's split (train.txt/test.txt), initial weights (init.safetensors, read here without the safetensors package),
batches (batches.txt) and settings (run.json: sizes, lr, weight decay, steps, dtype). It prints, beside its own losses,
jgrad's (losses.txt, evals.txt): the largest per-step train loss difference in each evaluation segment, and at the end
the largest difference of the final weights (final.safetensors); its per-step losses go to DIR/pytorch-losses.txt.
--replay-parts takes only some of jgrad's draws (e.g. `init`: jgrad's initial weights, PyTorch's own split and batches
from --seed), to see which draw a difference comes from. --write-reference FILE (with a full replay) packs the initial
weights, PyTorch's final weights, the batches, PyTorch's per-step losses and the words into one safetensors file, the
reference of jgrad's CharTransformerReplayTest.

    ./jgrad train --dataset words --steps 2000 --dtype float64 --dump-run /tmp/run64
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 benchmarks/pytorch/char_transformer.py --replay /tmp/run64
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np

import torch
import torch.nn as nn
import torch.nn.functional as F

WORDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "src", "main", "resources", "dev",
                     "jgrad", "data", "words.txt.gz")


class CharTransformer(nn.Module):
    def __init__(self, vocab, block, dim, heads, layers):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.wpe = nn.Embedding(block, dim)
        self.h = nn.ModuleList([nn.TransformerEncoderLayer(dim, heads, 4 * dim, 0.0, batch_first=True, norm_first=True)
                                for _ in range(layers)])
        self.ln_f = nn.LayerNorm(dim)
        self.lm_head = nn.Linear(dim, vocab)
        self.register_buffer("causal", torch.full((block, block), float("-inf")).triu(1), persistent=False)

    def forward(self, idx):
        t = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for block in self.h:
            x = block(x, src_mask=self.causal[:t, :t])
        return self.lm_head(self.ln_f(x))


SAFETENSORS_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1"}


def read_safetensors(path):
    """A safetensors file as {name: tensor}: an 8-byte little-endian header size, the JSON header (dtype, shape and
    data_offsets relative to the end of the header per tensor; "__metadata__" skipped), then the raw data."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        a = np.frombuffer(data, dtype=SAFETENSORS_DTYPES[info["dtype"]], count=(end - begin) // np.dtype(SAFETENSORS_DTYPES[info["dtype"]]).itemsize,
                          offset=8 + n + begin)
        out[name] = torch.from_numpy(a.astype(a.dtype.newbyteorder("="), copy=True).reshape(info["shape"]))
    return out


def write_safetensors(path, tensors, metadata=None):
    """{name: tensor} as a safetensors file (little-endian, names in the given order, 8-byte aligned header)."""
    names = {torch.float64: "F64", torch.float32: "F32", torch.int64: "I64", torch.int32: "I32"}
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        a = t.detach().contiguous().numpy()
        blob = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_pairs(path):
    """Lines "step value" as {step: value}."""
    with open(path) as f:
        return {int(a): float(b) for a, b in (line.split() for line in f if line.strip())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data", default=WORDS)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--replay", metavar="DIR", help="replay a run recorded by jgrad's --dump-run DIR (its split, "
                    "initial weights, batches and settings) and compare the losses and final weights with jgrad's")
    ap.add_argument("--replay-parts", default="split,init,batches", help="with --replay: which of jgrad's draws to take "
                    "(comma list of split, init, batches; batches needs split); the others are PyTorch's own (seed --seed)")
    ap.add_argument("--write-reference", metavar="FILE", help="with --replay: write one safetensors file for a jgrad test: "
                    "init.* (the initial weights), final.* (PyTorch's weights after the last step), batches [steps, B] (I64), "
                    "losses [steps] (PyTorch's per-step train losses, F64), the training words and the settings as metadata")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
    replay = None
    parts = set(p for p in args.replay_parts.split(",") if p)
    if not parts <= {"split", "init", "batches"} or ("batches" in parts and "split" not in parts):
        raise SystemExit("--replay-parts: a comma list of split, init, batches (batches needs split), got %r" % args.replay_parts)
    full = parts == {"split", "init", "batches"}
    if args.replay:
        with open(os.path.join(args.replay, "run.json")) as f:
            replay = json.load(f)
        own_seed = args.seed
        for k in ("layers", "heads", "dim", "batch_size", "lr", "weight_decay", "steps", "eval_every", "dtype", "seed"):
            setattr(args, k, replay[k])
        if not full:
            args.seed = own_seed  # PyTorch's own draws for the parts not replayed
    else:
        parts = set()
    torch.manual_seed(args.seed)
    if args.dtype == "float64":
        torch.set_default_dtype(torch.float64)

    if "split" in parts:
        def lines(name):
            with open(os.path.join(args.replay, name), encoding="utf-8") as f:
                return [w.rstrip("\n") for w in f if w.rstrip("\n")]
        train_words, test_words = lines("train.txt"), lines("test.txt")
        words = train_words + test_words
    if "batches" in parts:
        with open(os.path.join(args.replay, "batches.txt")) as f:
            batches = [torch.tensor([int(i) for i in line.split()], dtype=torch.long) for line in f if line.strip()]
        if len(batches) < args.steps:
            raise SystemExit("--replay: batches.txt has %d steps, run.json asks for %d" % (len(batches), args.steps))
    if "split" not in parts:
        opener = gzip.open if args.data.endswith(".gz") else open
        with opener(args.data, "rt") as f:
            words = [w.strip() for w in f if w.strip()]
    chars = sorted(set("".join(words)))
    stoi = {c: i + 1 for i, c in enumerate(chars)}
    vocab, block = len(chars) + 1, max(len(w) for w in words) + 1
    if replay:
        if "".join(chars) != replay["vocabulary"] or block != replay["block_size"]:
            raise SystemExit("--replay: vocabulary/context %r/%d differ from run.json's %r/%d" % ("".join(chars), block, replay["vocabulary"],
                                                                                           replay["block_size"]))
    if "split" not in parts:
        perm = torch.randperm(len(words)).tolist()
        n_test = round(len(words) * 0.1)
        test_words, train_words = [words[i] for i in perm[:n_test]], [words[i] for i in perm[n_test:]]

    def encode(ws):
        x = torch.zeros(len(ws), block, dtype=torch.long)
        y = torch.full((len(ws), block), -1, dtype=torch.long)
        for r, w in enumerate(ws):
            ix = torch.tensor([stoi[c] for c in w], dtype=torch.long)
            x[r, 1:1 + len(w)] = ix
            y[r, :len(w)] = ix
            y[r, len(w)] = 0
        return x, y

    train_x, train_y = encode(train_words)
    test_x, test_y = encode(test_words)
    model = CharTransformer(vocab, block, args.dim, args.heads, args.layers)
    if args.write_reference and not (replay and full):
        raise SystemExit("--write-reference needs --replay DIR with all its parts")
    if "init" in parts:
        init = read_safetensors(os.path.join(args.replay, "init.safetensors"))
        model.load_state_dict({k: v.to(torch.get_default_dtype()) for k, v in init.items()}, strict=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    print("pytorch %s: words (%d train / %d test, vocabulary %d, context %d), transformer %d layers x %d heads x %d dim "
          "(%d parameters), adamw lr %g weight decay %g, batch %d, %d steps, %s, %d threads, seed %d%s"
          % (torch.__version__, len(train_words), len(test_words), vocab, block, args.layers, args.heads, args.dim,
             sum(p.numel() for p in model.parameters()), args.lr, args.weight_decay, args.batch_size, args.steps, args.dtype,
             torch.get_num_threads(), args.seed, ", replaying jgrad's run %s (%s)" % (args.replay, ", ".join(sorted(parts))) if replay else ""), flush=True)
    if replay:
        j_losses = read_pairs(os.path.join(args.replay, "losses.txt"))
        j_evals = read_pairs(os.path.join(args.replay, "evals.txt"))
        own = open(os.path.join(args.replay, "pytorch-losses.txt" if full else "pytorch-losses-%s-seed%d.txt"
                                % ("-".join(sorted(parts)) or "none", args.seed)), "w")

    @torch.no_grad()
    def evaluate():
        model.eval()
        total, chars_n = 0.0, 0
        for i in range(0, len(test_x), 512):
            logits = model(test_x[i:i + 512])
            y = test_y[i:i + 512]
            total += F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1), ignore_index=-1, reduction="sum").item()
            chars_n += (y != -1).sum().item()
        model.train()
        return total / chars_n

    def jgrad_eval(step):
        return "  (jgrad %.6f)" % j_evals[step] if replay and step in j_evals else ""

    untrained = evaluate()
    print("step %6d  test loss %.4f (per character, untrained)%s" % (0, untrained, jgrad_eval(0)), flush=True)
    loss_sum, n, secs, all_secs, t_start = 0.0, 0, 0.0, 0.0, time.perf_counter()
    last_test = float("nan")
    seg_diff = 0.0
    for step in range(1, args.steps + 1):
        t0 = time.perf_counter()
        ix = batches[step - 1] if "batches" in parts else torch.randint(len(train_x), (args.batch_size,))
        x, y = train_x[ix], train_y[ix]
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1), ignore_index=-1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_sum += loss.item()
        n += 1
        secs += time.perf_counter() - t0
        if replay:
            own.write("%d %r\n" % (step, loss.item()))
            if full and step in j_losses:
                seg_diff = max(seg_diff, abs(loss.item() - j_losses[step]))
        if step % args.eval_every == 0 or step == args.steps:
            last_test = evaluate()
            print("step %6d  train loss %.4f  test loss %.4f  %.2f ms/step%s%s" % (
                step, loss_sum / n, last_test, 1e3 * secs / n, jgrad_eval(step),
                "  max |train loss - jgrad's| over the segment %.3g" % seg_diff if replay and full else ""), flush=True)
            all_secs += secs
            loss_sum, n, secs, seg_diff = 0.0, 0, 0.0, 0.0
    print("final test loss %.4f per character after %d steps, %.2f ms/step, %.1f s total"
          % (last_test, args.steps, 1e3 * all_secs / max(1, args.steps), time.perf_counter() - t_start))
    if replay:
        own.close()
        if args.write_reference:
            with open(os.path.join(args.replay, "pytorch-losses.txt")) as f:
                losses = [float(line.split()[1]) for line in f if line.strip()]
            ref = {"init." + k: v for k, v in init.items()}
            ref.update({"final." + k: v.detach() for k, v in model.state_dict().items()})
            ref["batches"] = torch.stack(batches[:args.steps]).to(torch.int64)
            ref["losses"] = torch.tensor(losses, dtype=torch.float64)
            meta = {k: replay[k] for k in ("layers", "heads", "dim", "batch_size", "lr", "weight_decay", "steps", "dtype", "block_size")}
            meta["train_words"] = " ".join(train_words)
            meta["test_words"] = " ".join(test_words)
            meta["pytorch"] = torch.__version__
            write_safetensors(args.write_reference, ref, meta)
            print("reference written to %s" % args.write_reference)
        final_path = os.path.join(args.replay, "final.safetensors")
        if full and os.path.exists(final_path):
            final = read_safetensors(final_path)
            worst, worst_name, scale = 0.0, "", 0.0
            for k, v in model.state_dict().items():
                d = (v.detach().double() - final[k].double()).abs().max().item()
                if d > worst:
                    worst, worst_name = d, k
                scale = max(scale, v.detach().abs().max().item())
            print("final weights: largest |pytorch - jgrad| %.3g (%s; largest |weight| %.3g)" % (worst, worst_name, scale))
    model.eval()
    g = torch.Generator().manual_seed(args.seed)
    out = []
    with torch.no_grad():
        for _ in range(10):
            ctx = [0]
            while len(ctx) <= block - 1:
                p = F.softmax(model(torch.tensor([ctx]))[0, -1], dim=-1)
                nxt = torch.multinomial(p, 1, generator=g).item()
                if nxt == 0:
                    break
                ctx.append(nxt)
            out.append("".join(chars[i - 1] for i in ctx[1:]))
    print("samples: " + " ".join(out))


if __name__ == "__main__":
    main()
