#!/usr/bin/env python3
"""Makes the reference fixture of reverse scheduled sampling from the official PredRNN code, which
the shared fixtures lack (all of them have it off): Tests/Fixtures/project/
predrnn_reverse_sampling_small.{safetensors,json}.

    python3 scripts/make-reverse-sampling-fixture.py OFFICIAL_CHECKOUT

OFFICIAL_CHECKOUT is a checkout of thuml/predrnn-pytorch (its `core` package is imported; nothing
of it is copied). The fixture takes the parameters and frames of the shared predrnn_small fixture
(Tests/Fixtures/predrnn_small) and runs the official `core.models.predrnn.RNN` with
`reverse_scheduled_sampling = 1`: its mask covers inputs 1 … T − 2, so the model is fed its own
predictions inside the input window too. It stores the mask, the predictions, the MSE loss the
official forward computes and every gradient, under the official names. Needs torch and
safetensors; the tool itself never runs Python."""
import hashlib
import json
import os
import sys
import types

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

NAME = "predrnn_reverse_sampling_small"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    official = os.path.abspath(sys.argv[1])
    model_file = os.path.join(official, "core", "models", "predrnn.py")
    if not os.path.isfile(model_file):
        print(f"{official}: no core/models/predrnn.py (expected a checkout of thuml/predrnn-pytorch)", file=sys.stderr)
        return 1
    sys.path.insert(0, official)
    from core.models.predrnn import RNN

    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fixtures = os.path.join(repository, "Tests", "Fixtures")
    with open(os.path.join(fixtures, "predrnn_small.json"), encoding="utf-8") as f:
        base = json.load(f)
    base_tensors = load_file(os.path.join(fixtures, "predrnn_small.safetensors"))
    config = dict(base["config"], reverse_scheduled_sampling=1)
    names = base["param_names_in_order"]

    configs = types.SimpleNamespace(
        img_height=config["img_height"], img_width=config["img_width"], img_channel=config["img_channel"],
        patch_size=config["patch_size"], filter_size=config["filter_size"], stride=config["stride"],
        layer_norm=config["layer_norm"], batch_size=config["batch"], total_length=config["total_length"],
        input_length=config["input_length"], device="cpu", reverse_scheduled_sampling=1)
    torch.manual_seed(0)
    model = RNN(len(config["num_hidden"]), config["num_hidden"], configs)
    model.load_state_dict({name: torch.from_numpy(base_tensors[name].copy()) for name in names}, strict=True)

    frames = base_tensors["input.frames"]
    batch, total, h, w, cp = frames.shape
    # One draw per (sequence, step) as the official trainer makes it, over inputs 1 … T − 2;
    # fixed so that every sequence has both kinds of step inside the input window.
    draws = np.array([[0, 1, 0, 1], [1, 0, 0, 1]], dtype=np.float32)
    assert draws.shape == (batch, total - 2)
    mask = np.broadcast_to(draws[:, :, None, None, None], (batch, total - 2, h, w, cp)).astype(np.float32).copy()

    next_frames, loss = model(torch.from_numpy(frames.copy()), torch.from_numpy(mask))
    loss.backward()
    tensors = {name: base_tensors[name] for name in names}
    tensors.update({
        "input.frames": frames, "input.frames_raw": base_tensors["input.frames_raw"], "input.mask_true": mask,
        "output.next_frames": next_frames.detach().numpy(),
        "output.loss": loss.detach().numpy().reshape(1),
    })
    for name, parameter in model.named_parameters():
        tensors["grad." + name] = parameter.grad.numpy()
    tensors = {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in tensors.items()}

    target = os.path.join(fixtures, "project")
    os.makedirs(target, exist_ok=True)
    save_file(tensors, os.path.join(target, NAME + ".safetensors"))
    with open(model_file, "rb") as f:
        model_hash = hashlib.sha256(f.read()).hexdigest()
    sidecar = {
        "fixture": NAME,
        "made_by": "scripts/make-reverse-sampling-fixture.py from the parameters and frames of predrnn_small",
        "official_model": f"thuml/predrnn-pytorch core/models/predrnn.py RNN (sha256 {model_hash})",
        "torch_version": torch.__version__,
        "config": config,
        "param_names_in_order": names,
        "loss": "output.loss = nn.MSELoss()(next_frames, frames[:, 1:]) inside the official forward: all T-1 steps, patch space.",
        "layout": "As predrnn_small, but input.mask_true is [B, T-2, H/p, W/p, p*p*C]: with reverse scheduled sampling the "
                  "model input at step t >= 1 is mask_true[:, t-1]*frames[:, t] + (1-mask_true[:, t-1])*x_gen(previous step), "
                  "inside the input window as well.",
        "loss_value": float(loss.item()),
        "tensors": {name: {"shape": list(value.shape), "dtype": "float32"} for name, value in sorted(tensors.items())},
    }
    with open(os.path.join(target, NAME + ".json"), "w", encoding="utf-8") as f:
        json.dump(sidecar, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{NAME}: loss {loss.item():.6f}, {len(tensors)} tensors → {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
