#!/usr/bin/env bash
# comodal set-up on Debian 12: installs the Debian packages the build and tests use (only those
# missing), configures once, builds incrementally, then runs the main job or the test suite.
#
#   bash scripts/dev.sh run    # install, build, run `comodal selfcheck`
#   bash scripts/dev.sh test   # install, build, run the whole CTest suite (unit, sanitizer, fuzz,
#                              # tshark dissection, real-process tests)
#
# Idempotent: a second run installs nothing and rebuilds only what changed (ccache + ninja).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode="${1:-}"
if [[ "$mode" != "run" && "$mode" != "test" ]]; then
  echo "usage: bash scripts/dev.sh run|test" >&2
  exit 2
fi

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  # media
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-x gstreamer1.0-tools
  libopus-dev libvpx-dev
  # transport, security, storage, apps
  libboost-dev libsrtp2-dev libssl-dev libsqlite3-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev tshark
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir="${COMODAL_BUILD_DIR:-build}"
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
fi
cmake --build "$build_dir"

if [[ "$mode" == "run" ]]; then
  exec "$build_dir/apps/comodal" selfcheck
fi
exec ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
