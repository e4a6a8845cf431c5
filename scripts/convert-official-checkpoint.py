#!/usr/bin/env python3
"""Writes the parameters of a PyTorch checkpoint as a safetensors file under their official
names, for `motionrnn import`.

    python3 scripts/convert-official-checkpoint.py CHECKPOINT OUTPUT.safetensors

CHECKPOINT is what the official code saved: thuml's PredRNN/MotionRNN trainers save
{'net_param': state_dict} (model.ckpt-N), OpenSTL and PyTorch Lightning {'state_dict': …}, and a
bare state_dict works too. A prefix that every name shares and that the official module names
lack ('module.' from DataParallel, 'model.' from OpenSTL's Lightning wrapper) is dropped. Every
tensor is written as contiguous float32. Needs torch (loading a pickled checkpoint) and
safetensors; the tool itself never runs Python."""
import sys

STATE_KEYS = ("net_param", "state_dict", "model")
PREFIXES = ("module.", "model.")


def state_dict_of(checkpoint):
    """The name → tensor mapping inside whatever the trainer saved."""
    for key in STATE_KEYS:
        if isinstance(checkpoint, dict) and isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    if isinstance(checkpoint, dict) and checkpoint and all(hasattr(v, "shape") for v in checkpoint.values()):
        return checkpoint
    found = sorted(checkpoint.keys()) if isinstance(checkpoint, dict) else type(checkpoint).__name__
    raise SystemExit(f"no state_dict found: expected one of {STATE_KEYS} or a bare mapping of tensors, got {found}")


def without_shared_prefix(tensors):
    """Drops a wrapper's prefix when every name has it (repeatedly: 'model.module.' too)."""
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            if tensors and all(name.startswith(prefix) for name in tensors):
                tensors = {name[len(prefix):]: value for name, value in tensors.items()}
                changed = True
    return tensors


def main() -> int:
    if len(sys.argv) != 3 or not sys.argv[2].endswith(".safetensors"):
        print(__doc__, file=sys.stderr)
        return 2
    import torch
    from safetensors.torch import save_file

    source, target = sys.argv[1], sys.argv[2]
    checkpoint = torch.load(source, map_location="cpu", weights_only=False)
    tensors = without_shared_prefix({name: value for name, value in state_dict_of(checkpoint).items()
                                     if torch.is_tensor(value)})
    if not tensors:
        raise SystemExit(f"{source}: the state_dict holds no tensors")
    save_file({name: value.detach().to(torch.float32).contiguous() for name, value in tensors.items()}, target)
    print(f"{len(tensors)} tensors → {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
