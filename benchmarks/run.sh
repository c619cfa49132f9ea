#!/usr/bin/env bash
# Runs the jgrad JMH suite and regenerates benchmarks/RESULTS.md.
#
# usage: benchmarks/run.sh [options] [INCLUDE_REGEX...] [-- EXTRA_JMH_ARGS...]
#
#   INCLUDE_REGEX     JMH benchmark regexes (default: every benchmark in the jar),
#                     e.g. 'EjmlGemmBenchmark' or 'StreamCopyBenchmark.arraycopy$'
#   --rebuild         always rebuild the jar first
#   --no-build        never rebuild (fail if the jar is missing)
#   --report-only     skip JMH; regenerate RESULTS.md from the existing results JSON
#   --quick           smoke-test settings: -f 1 -wi 1 -w 1s -i 2 -r 1s
#   -h, --help        this text
#
# Environment (defaults finish the baseline suite in a few minutes on 2 cores; the whole
# suite must stay under ~15 minutes):
#   JMH_FORKS=1  JMH_WARMUP_ITERATIONS=3  JMH_WARMUP_TIME=1s  JMH_ITERATIONS=5  JMH_TIME=1s
#   JMH_PROFILERS="gc"        space-separated -prof values; empty to disable
#   JMH_EXTRA_ARGS=""         extra JMH arguments (word-split)
#   JMH_RESULTS=benchmarks/results/jmh.json   JMH JSON output (relative to the repo root)
#   JMH_REPORT=benchmarks/RESULTS.md          Markdown report (relative to the repo root)
#   BENCH_BUILD=auto          auto: build when the jar is missing or older than any source/pom
#   JAVA=java                 Java launcher (JAVA_HOME/bin/java when JAVA_HOME is set)
#
# Next to the JSON it keeps jmh.log (JMH console output), jmh.args and jmh.load (arguments and
# load averages, quoted in the report header). The script exits non-zero if a benchmark failed
# (after still writing the report).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
cd "$root"

jar=benchmarks/target/benchmarks.jar
results=${JMH_RESULTS:-benchmarks/results/jmh.json}
report=${JMH_REPORT:-benchmarks/RESULTS.md}
log="$(dirname "$results")/jmh.log"
build=${BENCH_BUILD:-auto}
if [[ -n "${JAVA:-}" ]]; then
  java_cmd=$JAVA
elif [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
else
  java_cmd=java
fi

forks=${JMH_FORKS:-1}
wi=${JMH_WARMUP_ITERATIONS:-3}
w=${JMH_WARMUP_TIME:-1s}
iters=${JMH_ITERATIONS:-5}
r=${JMH_TIME:-1s}
profilers=${JMH_PROFILERS-gc}
report_only=false
includes=()
extra=()

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --rebuild) build=always ;;
    --no-build) build=never ;;
    --report-only) report_only=true ;;
    --quick) forks=1 wi=1 w=1s iters=2 r=1s ;;
    --) shift; extra+=("$@"); break ;;
    -*) echo "run.sh: unknown option $1 (use -- to pass JMH options)" >&2; exit 2 ;;
    *) includes+=("$1") ;;
  esac
  shift
done

args_file="$(dirname "$results")/jmh.args"
load_file="$(dirname "$results")/jmh.load"
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

needs_build() {
  [[ -f "$jar" ]] || return 0
  local newer
  newer=$(find . \( -name .git -o -name target -o -path ./benchmarks/results \) -prune -o \
    -type f \( -name '*.java' -o -name pom.xml -o -path '*/src/main/resources/*' \) \
    -newer "$jar" -print -quit)
  [[ -n "$newer" ]]
}

if [[ "$report_only" == false ]]; then
  case "$build" in
    always) do_build=true ;;
    never) do_build=false ;;
    auto) if needs_build; then do_build=true; else do_build=false; fi ;;
    *) echo "run.sh: BENCH_BUILD must be auto, always or never (got '$build')" >&2; exit 2 ;;
  esac
  if [[ "$do_build" == true ]]; then
    echo ">> building $jar"
    mvn -B -ntp -q -pl benchmarks -am package -DskipTests
  fi
  if [[ ! -f "$jar" ]]; then
    echo "run.sh: $jar not found (build with: mvn -B -ntp -pl benchmarks -am package -DskipTests)" >&2
    exit 1
  fi

  jmh_args=(-f "$forks" -wi "$wi" -w "$w" -i "$iters" -r "$r")
  for p in $profilers; do
    jmh_args+=(-prof "$p")
  done
  if [[ -n "${JMH_EXTRA_ARGS:-}" ]]; then
    read -r -a env_extra <<< "$JMH_EXTRA_ARGS"
    jmh_args+=("${env_extra[@]}")
  fi
  jmh_args+=(${extra[@]+"${extra[@]}"})

  mkdir -p "$(dirname "$results")"
  echo ">> JMH ${includes[*]:-(all benchmarks)} ${jmh_args[*]}"
  load_before=$(loadavg)
  "$java_cmd" -jar "$jar" ${includes[@]+"${includes[@]}"} "${jmh_args[@]}" \
    -rf json -rff "$results" 2>&1 | tee "$log"
  printf '%s\n' "${includes[*]:-}" "${jmh_args[*]}" > "$args_file"
  echo "$load_before before the run, $(loadavg) right after it (JMH itself adds ~1-2)" > "$load_file"
fi

if [[ ! -f "$results" ]]; then
  echo "run.sh: no results at $results" >&2
  exit 1
fi
recorded_args=""
if [[ -f "$args_file" ]]; then
  recorded_args=$(tr '\n' ' ' < "$args_file" | sed 's/^ *//; s/ *$//')
fi
recorded_load=""
if [[ -f "$load_file" ]]; then
  recorded_load=$(cat "$load_file")
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
"$java_cmd" -cp "$jar" dev.jgrad.benchmarks.report.ResultsReport \
  --input "$results" --output "$report" --commit "$commit" \
  --jmh-args "$recorded_args" --load "$recorded_load"

if [[ "$report_only" == false ]] && grep -q '<failure>' "$log"; then
  echo "run.sh: at least one benchmark failed, see $log" >&2
  exit 1
fi
