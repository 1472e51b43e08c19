#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One prepared check for a GPU machine (docs/scaling.md, "The GPU check"):
#   1. builds the headless targets (DPG_GUI=OFF: dpg, bench_metagrad, the plugins, the engine tests) against
#      the LibTorch of the machine's Python torch, with the Debian packages of gpu-deps/ unpacked into the
#      build folder when they are there (scripts/gpu-deps.sh fetches them on a Debian 12 machine);
#   2. runs the engine tests with DPG_TEST_DEVICE set to the device;
#   3. runs bench_metagrad on the device;
#   4. runs the qr-gpu preset for at most SECONDS of wall time (on a CPU, shrunk by --set overrides);
#   5. writes the logs, the store, the curves and the final validation sign image to OUTDIR, and one line
#      RESULT … (steps, minutes, best validation pixel accuracy, whether a sign image scans) to
#      OUTDIR/RESULT.txt and stdout.
#   scripts/gpu-check.sh OUTDIR [SECONDS] [--device cpu|cuda|cuda:N] [--jobs N]
#   scripts/gpu-check.sh /tmp/gc 360                 on a GPU machine: about 12 minutes on 16 cores
#   scripts/gpu-check.sh /tmp/gc 60 --device cpu     the rehearsal on a CPU
# Environment: PYTHON (the interpreter holding torch; default .venv/bin/python if present, else python3),
# GPU_CHECK_BUILD (build folder; default build-gpu), GPU_CHECK_TESTS (CTest names; default: the engine
# tests whose sources read DPG_TEST_DEVICE). Each stage's failure is reported in RESULT; the script goes
# on to the next stage where it can, and exits non-zero if any stage failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { echo "usage: scripts/gpu-check.sh OUTDIR [SECONDS] [--device cpu|cuda|cuda:N] [--jobs N]" >&2; exit 2; }

OUT="" RUN_SECONDS=360 DEVICE=cuda JOBS="$(nproc)"
while (($#)); do
  case "$1" in
    --device) DEVICE="${2:?}"; shift 2 ;;
    --jobs) JOBS="${2:?}"; shift 2 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) if [[ -z $OUT ]]; then OUT="$1"; elif [[ $1 =~ ^[0-9]+$ ]]; then RUN_SECONDS="$1"; else usage; fi; shift ;;
  esac
done
[[ -n $OUT ]] || usage
[[ $DEVICE =~ ^(cpu|cuda|cuda:[0-9]+)$ ]] || usage
mkdir -p "$OUT/logs" && OUT="$(cd "$OUT" && pwd)"
BUILD="${GPU_CHECK_BUILD:-$ROOT/build-gpu}"
LOGS="$OUT/logs"
: >"$LOGS/timings.txt"
T0=$SECONDS
FAILED=()
log() { printf '[gpu-check %4ds] %s\n' "$((SECONDS - T0))" "$*" | tee -a "$LOGS/timings.txt"; }
die() { log "FAIL: $*"; echo "RESULT device=$DEVICE failed=\"$*\"" | tee "$OUT/RESULT.txt"; exit 1; }

# --- 0. torch and the device -------------------------------------------------------------------------
PY="${PYTHON:-}"
[[ -z $PY && -x $ROOT/.venv/bin/python ]] && PY="$ROOT/.venv/bin/python"
PY="${PY:-python3}"
TORCH_PREFIX="$("$PY" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)' 2>"$LOGS/torch.log")" ||
  die "$PY cannot import torch (logs/torch.log)"
[[ -f $TORCH_PREFIX/Torch/TorchConfig.cmake ]] || die "no LibTorch CMake files under $TORCH_PREFIX"
read -r TORCH_VERSION TORCH_CUDA GPUS < <("$PY" -c 'import torch
print(torch.__version__, torch.version.cuda, torch.cuda.device_count() if torch.cuda.is_available() else 0)')
log "torch $TORCH_VERSION (CUDA $TORCH_CUDA, $GPUS GPUs visible) at $TORCH_PREFIX; device $DEVICE"
if [[ $DEVICE == cuda* ]]; then
  [[ $TORCH_CUDA != None ]] || die "device $DEVICE asked for, but torch $TORCH_VERSION is a CPU-only build"
  ((GPUS > 0)) || die "device $DEVICE asked for, but torch sees no GPU"
  export CUDACXX="${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
  [[ -x $CUDACXX ]] || die "no nvcc (LibTorch's CMake files need the CUDA toolkit): set CUDACXX"
  export CUDA_HOME="${CUDA_HOME:-$(dirname "$(dirname "$CUDACXX")")}"
  export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}"  # no detection run at configure time
  nvidia-smi >"$LOGS/nvidia-smi.txt" 2>&1 || true
fi

# --- 1. the carried Debian packages, and the build ---------------------------------------------------
CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=Release -DDPG_GUI=OFF -DDPG_TESTS=ON)
PREFIXES="$TORCH_PREFIX"
if compgen -G "$ROOT/gpu-deps/*.deb" >/dev/null; then
  DEPS="$BUILD/deps"
  stamp="$(ls "$ROOT"/gpu-deps/*.deb | md5sum | cut -c1-12)"
  if [[ ! -f $DEPS/.stamp-$stamp ]]; then
    rm -rf "$DEPS" && mkdir -p "$DEPS"
    for deb in "$ROOT"/gpu-deps/*.deb; do
      if command -v dpkg-deb >/dev/null; then
        dpkg-deb -x "$deb" "$DEPS"
      else  # a .deb is an ar archive holding data.tar.*
        tmp="$(mktemp -d)" && (cd "$tmp" && ar x "$deb" && tar -xf data.tar.* -C "$DEPS") && rm -rf "$tmp"
      fi || die "cannot unpack $deb"
    done
    # Absolute links inside the set (e.g. usr/lib/…/libfoo.so -> /lib/…) point into it where it has the file.
    while IFS= read -r link; do
      target="$(readlink "$link")"
      [[ -e $DEPS$target ]] && ln -sfn "$DEPS$target" "$link"
    done < <(find "$DEPS" -type l -lname '/*')
    touch "$DEPS/.stamp-$stamp"
  fi
  ARCH_LIB="$DEPS/usr/lib/x86_64-linux-gnu"  # Debian 12's packages also install into /lib (libdbus, libsystemd)
  export LD_LIBRARY_PATH="$ARCH_LIB:$DEPS/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PKG_CONFIG_LIBDIR="$ARCH_LIB/pkgconfig:$DEPS/usr/share/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$DEPS"
  export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
  PREFIXES="$PREFIXES;$DEPS/usr"
  CMAKE_ARGS+=(-DPKG_CONFIG_EXECUTABLE="$DEPS/usr/bin/pkgconf")
  log "Debian packages: $(ls "$ROOT"/gpu-deps/*.deb | wc -l) unpacked into $DEPS"
else
  log "no gpu-deps/: Qt, SQLite, spdlog, CLI11, libqrencode, zbar and libpng come from the system"
fi
export CMAKE_POLICY_VERSION_MINIMUM=3.5  # a CMake 4 still reads older packages' CMake files

TESTS="${GPU_CHECK_TESTS:-}"
if [[ -z $TESTS ]]; then
  TESTS="$(grep -l DPG_TEST_DEVICE "$ROOT"/tests/*/test_*.cpp 2>/dev/null | xargs -r -n1 dirname |
    xargs -r -n1 basename | sort -u | tr '\n' ' ')"
fi
TESTS="${TESTS:-metagrad loop}"
TARGETS=(dpg bench_metagrad)
for t in $TESTS; do TARGETS+=("test_$t"); done

log "configure ($BUILD)"
cmake -S "$ROOT" -B "$BUILD" -G Ninja "${CMAKE_ARGS[@]}" "-DCMAKE_PREFIX_PATH=$PREFIXES" >"$LOGS/configure.log" 2>&1 ||
  die "configure failed (logs/configure.log: $(grep -m1 -A2 'CMake Error' "$LOGS/configure.log" | tr '\n' ' ' | cut -c1-200))"
log "build ${TARGETS[*]} with $JOBS jobs"
t_build=$SECONDS
TIME=() && [[ -x /usr/bin/time ]] && TIME=(/usr/bin/time -v)  # GNU time: the build's CPU seconds, where it exists
"${TIME[@]}" cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]}" >"$LOGS/build.log" 2>&1 ||
  die "build failed (logs/build.log: $(grep -m1 -B1 -A3 'error' "$LOGS/build.log" | tr '\n' ' ' | cut -c1-300))"
BUILD_MIN="$(awk -v s=$((SECONDS - t_build)) 'BEGIN { printf "%.1f", s / 60 }')"
log "built in $BUILD_MIN min $(sed -n 's/.*User time (seconds): \(.*\)/(\1 s of user CPU)/p' "$LOGS/build.log")"
BIN="$BUILD/bin"

# --- 2. the engine tests on the device ---------------------------------------------------------------
log "engine tests on $DEVICE: $TESTS"
regex="^($(echo $TESTS | tr ' ' '|'))\$"
if DPG_TEST_DEVICE="$DEVICE" ctest --test-dir "$BUILD" -R "$regex" --output-on-failure --timeout 600 \
  >"$LOGS/tests.log" 2>&1; then
  TESTS_OK=pass
else
  TESTS_OK=fail && FAILED+=(tests)
fi
log "tests: $TESTS_OK ($(grep -m1 'tests passed' "$LOGS/tests.log"))"

# --- 3. bench_metagrad on the device -----------------------------------------------------------------
if [[ $DEVICE == cpu ]]; then
  BENCH_ARGS=(--models tiny --T 8,32 --reps 1)
else
  BENCH_ARGS=(--models tiny,gpt10m --T 8,96 --schedules all+graphs,sqrt+graphs --reps 2)
fi
log "bench_metagrad --device $DEVICE ${BENCH_ARGS[*]}"
if timeout 240 "$BIN/bench_metagrad" --device "$DEVICE" "${BENCH_ARGS[@]}" >"$LOGS/bench.log" 2>&1; then
  BENCH="$(grep -m1 '^RESULT' "$LOGS/bench.log" | sed 's/^RESULT //; s/ /,/g')"
else
  BENCH=fail && FAILED+=(bench)
fi

# --- 4. qr-gpu for at most SECONDS ---------------------------------------------------------------------
SETS=()
if [[ $DEVICE == cpu ]]; then  # tests/presets uses the same shrink (its grpo.steps=2 aside)
  for kv in grpo.prompts_per_step=8 grpo.minibatch_prompts=8 inner.T=4 validation.prompts=8 validation.T=4 \
    validation.every=5; do SETS+=(--set "$kv"); done
fi
STORE="$OUT/store"
rm -rf "$STORE" && mkdir -p "$STORE"
DB="$STORE/runs.db"
log "dpg run --preset qr-gpu --device $DEVICE ${SETS[*]} for at most $RUN_SECONDS s"
t_run=$SECONDS
timeout -s INT -k 120 "$RUN_SECONDS" "$BIN/dpg" run --preset qr-gpu --device "$DEVICE" "${SETS[@]}" --db "$DB" \
  >"$LOGS/run.log" 2>&1
rc=$?
RUN_MIN="$(awk -v s=$((SECONDS - t_run)) 'BEGIN { printf "%.1f", s / 60 }')"
case $rc in
  0) RUN_END=finished ;;
  124) RUN_END=stopped ;;  # the time limit: dpg saved the steps made and stopped resumably
  *) RUN_END="failed($rc)" && FAILED+=(run) ;;
esac
log "run $RUN_END after $RUN_MIN min: $(tail -n 3 "$LOGS/run.log" | tr '\n' ' ')"

# --- 5. the store's steps, curves and sign images --------------------------------------------------------
STEPS=0 BEST=none SCANS=no
if [[ -f $DB ]]; then
  "$BIN/dpg" runs show 1 --db "$DB" >"$LOGS/show.log" 2>&1
  "$BIN/dpg" export 1 --db "$DB" --png "$OUT/png" --csv "$OUT/curves.csv" >"$LOGS/export.log" 2>&1 ||
    FAILED+=(export)
  if [[ -f $OUT/curves.csv ]]; then
    STEPS=$(($(wc -l <"$OUT/curves.csv") - 1))
    # columns: step,phi,metric,val_phi,val_metric,…: the best validation pixel accuracy and its step
    BEST="$(awk -F, 'NR > 1 && $5 != "" && $5 != "nan" { v = $5 + 0; if (!n++ || v > b) { b = v; s = $1 } }
      END { if (!n) print "none"; else printf "%.4f@step%d", b, s }' "$OUT/curves.csv")"
  fi
  final="$(ls "$OUT"/png/val_sign-step*.png 2>/dev/null | tail -n 1)"
  [[ -n $final ]] && cp "$final" "$OUT/sign-final.png"
  verdict="$(grep -m1 '^QR:' "$LOGS/export.log")"
  [[ -n $verdict && $verdict != *"none of"* ]] && SCANS=yes
  [[ -n $verdict ]] && log "$verdict"
fi

fails="${FAILED[*]:-none}"
RESULT="RESULT device=$DEVICE torch=$TORCH_VERSION steps=$STEPS minutes=$RUN_MIN run=$RUN_END best_val_pixel_acc=$BEST"
RESULT+=" scans=$SCANS build_min=$BUILD_MIN tests=$TESTS_OK bench=$BENCH total_min=$(awk -v s=$((SECONDS - T0)) \
  'BEGIN { printf "%.1f", s / 60 }') failed=${fails// /,}"
echo "$RESULT" | tee "$OUT/RESULT.txt"
((${#FAILED[@]} == 0))
