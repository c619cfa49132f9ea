"""PyTorch side of dev.jgrad.benchmarks.SideBySide: the 784-256-128-10 MLP forward (no grad) and SGD-momentum step
(lr 0) over a batch-size sweep, timed as shared/bench/side_by_side.py does (median microseconds per call).
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE TORCH_THREADS=1 /usr/bin/python3 infer_sweep.py infer_784-256-128-10_b1 ...
CLOCK=cpu (with TORCH_THREADS=1) times the calling thread's CPU time (time.thread_time) instead of wall time, the
counterpart of SideBySide's -Djgrad.bench.clock=cpu -Djgrad.threads=1 on a loaded machine."""
import os, sys, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
MIN_S, SAMPLES, WARM_S = 0.25, 7, 2.0
clock = time.thread_time if os.environ.get("CLOCK") == "cpu" else time.perf_counter
def timeit(f):
    end = clock() + WARM_S
    while clock() < end: f()
    ts = []
    for _ in range(SAMPLES):
        n = 0; t0 = clock()
        while True:
            f(); n += 1; t1 = clock()
            if t1 - t0 >= MIN_S: break
        ts.append((t1 - t0) * 1e6 / n)
    ts.sort(); return ts[SAMPLES // 2]
def workload(name):
    kind, _, b, *rest = name.split("_"); b = int(b[1:])
    dt = torch.float64 if "f64" in rest else torch.float32
    torch.manual_seed(7)
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)).to(dt)
    x = torch.randn(b, 784, dtype=dt)
    if kind == "infer":
        net.eval()
        def f():
            with torch.no_grad(): net(x)
        return f
    y = torch.randint(0, 10, (b,)); o = torch.optim.SGD(net.parameters(), lr=0.0, momentum=0.9)
    def step():
        o.zero_grad(); l = F.cross_entropy(net(x), y); l.backward(); o.step(); l.item()
    return step
for name in sys.argv[1:]:
    print(f"{name} {timeit(workload(name)):.2f}", flush=True)
