#!/usr/bin/env bash
# Installs and builds the bench-only peers that `npm run bench` measures beside
# this project in the same run (see docs/bench.md). Nothing here is needed by
# the runtime, the tests or CI. Each step is independent: a step that fails is
# reported and the bench lists that peer as skipped with the reason.
#
#   bash bench/peers/setup.sh        (as root for the apt step; idempotent)
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$HERE/build"
VENV="$HERE/.venv"
mkdir -p "$BUILD"
status=0

step() { echo "== $*"; }

step "C deadline loop (cc, clock_nanosleep TIMER_ABSTIME)"
cc -O2 -Wall -o "$BUILD/deadline_loop" "$HERE/deadline_loop.c" || { echo "   FAILED: C loop"; status=1; }

step "Python venv with onnxruntime, onnx, numpy, torch (pip)"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" || { echo "   FAILED: venv"; status=1; }; fi
if [ -x "$VENV/bin/python" ]; then
  "$VENV/bin/pip" install --quiet --retries 0 --timeout 15 onnxruntime onnx numpy || { echo "   FAILED: onnxruntime/onnx/numpy"; status=1; }
  "$VENV/bin/pip" install --quiet --retries 0 --timeout 15 torch || { echo "   FAILED: torch"; status=1; }
fi

step "C++ libtorch loop (Debian libtorch-dev)"
if [ ! -e /usr/include/torch/script.h ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libtorch-dev >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libtorch-dev >/dev/null; } \
    || echo "   FAILED: apt-get install libtorch-dev"
fi
if [ -e /usr/include/torch/script.h ]; then
  g++ -O2 -std=c++17 -o "$BUILD/torch_loop" "$HERE/torch_loop.cpp" \
    -I/usr/include/torch/csrc/api/include -ltorch -ltorch_cpu -lc10 || { echo "   FAILED: C++ libtorch build"; status=1; }
else
  echo "   FAILED: libtorch-dev headers missing"; status=1
fi
exit $status
