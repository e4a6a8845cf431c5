#!/usr/bin/env python3
"""A copy of a pretrained model file (`motionrnn export`, models/*.safetensors) whose recorded
model has the MotionGRU's motion filter bounded to +-B cells (`--motion-bound B`; not in the
paper). The bound holds no parameters, so the tensors are copied unchanged; only the metadata's
experiment changes. For probing what a model trained without the bound does with it
(docs/RESULTS.md, "What the MotionGRU learnt"):

    python3 scripts/set-motion-bound.py models/vmnist-motionrnn-predrnn.safetensors 2 /tmp/bound2.safetensors
    motionrnn test --pretrained /tmp/bound2.safetensors --split validation --test-count 128
"""
import json
import math
import os
import struct
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, bound_text, destination = sys.argv[1:]
    try:
        bound = float(bound_text)
    except ValueError:
        bound = float("nan")
    if not (bound > 0 and math.isfinite(bound)):
        sys.exit(f"bound '{bound_text}': must be a positive number of grid cells")
    with open(source, "rb") as file:
        data = file.read()
    if len(data) < 8:
        sys.exit(f"{source}: too short for a safetensors file")
    (header_length,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8:8 + header_length])
        experiment = json.loads(header["__metadata__"]["motionrnn.experiment"])
        motion = experiment["training"]["model"]["motion"]
    except (ValueError, KeyError, TypeError):
        sys.exit(f"{source}: not a model file written by `motionrnn export` (no recorded experiment)")
    if not (motion.get("transient") or motion.get("trend")):
        sys.exit(f"{source}: the model has no MotionGRU to bound")
    motion["bound"] = bound
    header["__metadata__"]["motionrnn.experiment"] = json.dumps(experiment)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    partial = destination + ".partial"
    with open(partial, "wb") as file:
        file.write(struct.pack("<Q", len(encoded)) + encoded + data[8 + header_length:])
    os.replace(partial, destination)


if __name__ == "__main__":
    main()
