#!/usr/bin/env bash
# Alternates jgrad (SideBySide) and PyTorch 1.13 (shared/bench/side_by_side.py, at 1 and at 2 threads) on the same
# workloads in one sitting, ROUNDS rounds, and prints per workload the median over the rounds of each side's median
# µs per call, and jgrad / PyTorch's better thread count. Usage, from the repository root after
# `mvn -pl benchmarks -am package -DskipTests`:
#   benchmarks/side-by-side.sh [workload ...]        (default: side_by_side.py's eight workloads)
# ROUNDS (3), PYTORCH_SCRIPT (../shared/bench/side_by_side.py), OUT (a file the raw lines are appended to) and BUSY
# (1: keep the second core busy with a spinning shell loop while both sides run, the "busy second core" rows),
# JGRAD_JAVA_OPTS (default: -XX:+UseSerialGC, the CLI launcher's collector; on VMs that reclaim cold pages, G1's eden
# cycling page-faults: the batch-1 forward took 35 µs with G1 against 14 µs with it) and WARMUP (jgrad's warm-up in
# seconds, default 10: C2 takes 2-4 s to compile the float64 step's kernels while both cores run it) are read from the environment. PyTorch runs without the environment's OpenBLAS overrides (see ../shared/bench/README.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/benchmarks/target/benchmarks.jar"
py="${PYTORCH_SCRIPT:-$here/../shared/bench/side_by_side.py}"
rounds="${ROUNDS:-3}"
raw="${OUT:-$(mktemp "${TMPDIR:-/tmp}/side-by-side.XXXXXX")}"
[ -f "$jar" ] || { echo "no $jar: run mvn -pl benchmarks -am package -DskipTests first" >&2; exit 2; }
[ -f "$py" ] || { echo "no PyTorch script $py (set PYTORCH_SCRIPT)" >&2; exit 2; }
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=(mlp_tiny_64-128-64-10_b32_adam mlp_mnist_784-256-128-10_b128_sgd mlp_wide_784-1024-1024-10_b256_sgd
         mlp_mnist_f64_784-256-128-10_b128_sgd infer_784-256-128-10_b1 ce_1024x1000_f32 ce_256x32000_f32 ce_1024x1000_f64)
fi
if [ "${BUSY:-0}" = 1 ]; then
  bash -c 'while :; do :; done' &
  spin=$!
  trap 'kill $spin 2>/dev/null' EXIT
fi
echo "# $(date -u +%FT%TZ) busy=${BUSY:-0} $(git -C "$here" rev-parse --short HEAD) load $(cut -d' ' -f1-3 /proc/loadavg) jvm ${JGRAD_JAVA_OPTS:--XX:+UseSerialGC} warmup ${WARMUP:-10}" >> "$raw"
for r in $(seq 1 "$rounds"); do
  java --add-modules jdk.incubator.vector ${JGRAD_JAVA_OPTS:--XX:+UseSerialGC} -Djgrad.bench.warmup="${WARMUP:-10}" \
    -cp "$jar" dev.jgrad.benchmarks.SideBySide "${names[@]}" 2>/dev/null \
    | sed "s/^/jgrad $r /" | tee -a "$raw" >&2
  for t in 1 2; do
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE TORCH_THREADS=$t /usr/bin/python3 "$py" "${names[@]}" \
      | sed "s/^/torch$t $r /" | tee -a "$raw" >&2
  done
  echo "# round $r done, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$raw" >&2
done
echo "raw lines in $raw" >&2
awk -v rounds="$rounds" '
  /^#/ { next }
  { v[$1 " " $3] = v[$1 " " $3] " " $4; if (!($3 in seen)) { seen[$3] = 1; order[++n] = $3 } }
  function median(s,   a, k, i, j, t) {
    k = split(s, a, " ")
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k == 0 ? "nan" : (k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2)
  }
  END {
    printf "| workload | jgrad µs | PyTorch 1 thread µs | PyTorch 2 threads µs | jgrad / PyTorch (better) |\n"
    printf "| --- | ---: | ---: | ---: | ---: |\n"
    for (i = 1; i <= n; i++) {
      w = order[i]; j = median(v["jgrad " w]); t1 = median(v["torch1 " w]); t2 = median(v["torch2 " w])
      best = (t2 + 0 < t1 + 0) ? t2 : t1
      printf "| %s | %.1f | %.1f | %.1f | %.2f |\n", w, j, t1, t2, j / best
    }
  }' "$raw"
