#!/usr/bin/env bash
# Installs what the project needs from Debian: OpenBLAS (SGEMM for the convolutions) and
# pkg-config (SwiftPM finds OpenBLAS through it). Idempotent; runs as root (or via sudo).
set -euo pipefail
missing=()
pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends libopenblas-dev pkg-config
fi
