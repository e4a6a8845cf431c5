#!/usr/bin/env python3
"""Copies the reference fixtures the tests read from ../shared/fixtures (or $MOTIONRNN_SHARED/fixtures)
into Tests/Fixtures, so that a plain clone of this repository passes its tests.

The tensors (NAME.safetensors) are copied as they are. Each sidecar (NAME.json) keeps only the fields
our code and tests read (the model configuration, parameter names, loss and layout conventions, the
shape index and the numbers tests compare against); prose about the reference implementations stays
in the shared folder. Run it again when the shared fixtures change; Tests/Fixtures/README.md says
where they come from."""
import json
import os
import shutil
import sys

KEPT = [
    # Full-model and component fixtures: what the verifier and the parity tests read.
    "fixture", "config", "param_count", "param_names_in_order", "params_unused_in_forward",
    "loss", "loss_value", "loss_mse_value", "loss_l1_value", "layout", "zero_state", "tensors",
    # FVD: the cases, the preprocessing and distance conventions and the tolerances.
    "inputs", "cases", "endpoint_shapes_case_A", "preprocess", "frechet", "fd_tensors",
    "tolerance", "key_numbers",
]


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    repository = os.path.dirname(here)
    shared = os.environ.get("MOTIONRNN_SHARED") or os.path.join(os.path.dirname(repository), "shared")
    source = os.path.join(shared, "fixtures")
    target = os.path.join(repository, "Tests", "Fixtures")
    if not os.path.isdir(source):
        print(f"no fixtures at {source} (set MOTIONRNN_SHARED)", file=sys.stderr)
        return 1
    os.makedirs(target, exist_ok=True)
    names = sorted(f[:-len(".safetensors")] for f in os.listdir(source) if f.endswith(".safetensors"))
    for name in names:
        shutil.copyfile(os.path.join(source, name + ".safetensors"), os.path.join(target, name + ".safetensors"))
        with open(os.path.join(source, name + ".json"), encoding="utf-8") as f:
            sidecar = json.load(f)
        trimmed = {key: sidecar[key] for key in KEPT if key in sidecar}
        with open(os.path.join(target, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(trimmed, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"{name}: {len(trimmed)} of {len(sidecar)} sidecar fields")
    return 0


if __name__ == "__main__":
    sys.exit(main())
