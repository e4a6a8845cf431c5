#!/usr/bin/env python3
"""Makes the reference fixtures that the shared ones lack, from the official PredRNN code, in
Tests/Fixtures/project/:

- predrnn_reverse_sampling_small: `core.models.predrnn.RNN` with reverse scheduled sampling
  (`reverse_scheduled_sampling = 1`): its mask covers inputs 1 … T − 2, so the model is fed its
  own predictions inside the input window too.
- predrnn_v2_small: `core.models.predrnn_v2.RNN` (PredRNN-v2: memory decoupling through a shared
  1×1 adapter, loss = MSE + decouple_beta × the decoupling loss), ordinary scheduled sampling.

    python3 scripts/make-official-fixtures.py OFFICIAL_CHECKOUT

OFFICIAL_CHECKOUT is a checkout of thuml/predrnn-pytorch (its `core` package is imported; nothing
of it is copied). Both fixtures take the parameters and frames of the shared predrnn_small fixture
(Tests/Fixtures/predrnn_small); PredRNN-v2's adapter is drawn as that fixture's parameters were,
N(0, 0.1²) from a seeded generator. Each stores its mask, the predictions, the loss the official
forward computes and every gradient, under the official names. Needs torch and safetensors; the
tool itself never runs Python."""
import hashlib
import json
import os
import sys
import types

import numpy as np
import torch
from safetensors.numpy import load_file, save_file


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    official = os.path.abspath(sys.argv[1])
    if not os.path.isfile(os.path.join(official, "core", "models", "predrnn_v2.py")):
        print(f"{official}: no core/models/predrnn_v2.py (expected a checkout of thuml/predrnn-pytorch)", file=sys.stderr)
        return 1
    sys.path.insert(0, official)
    # predrnn_v2 imports its t-SNE plots (matplotlib, scikit-learn) at the top; visual = 0 never calls them.
    plots = types.ModuleType("core.utils.tsne")
    plots.visualization = lambda *args: (_ for _ in ()).throw(RuntimeError("visual is off"))
    sys.modules["core.utils.tsne"] = plots
    from core.models import predrnn, predrnn_v2

    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fixtures = os.path.join(repository, "Tests", "Fixtures")
    with open(os.path.join(fixtures, "predrnn_small.json"), encoding="utf-8") as f:
        base = json.load(f)
    base_tensors = load_file(os.path.join(fixtures, "predrnn_small.safetensors"))
    frames = base_tensors["input.frames"]
    batch, total, h, w, cp = frames.shape

    # Reverse scheduled sampling: one draw per (sequence, step) over inputs 1 … T − 2, fixed so
    # that every sequence has both kinds of step inside the input window.
    draws = np.array([[0, 1, 0, 1], [1, 0, 0, 1]], dtype=np.float32)
    assert draws.shape == (batch, total - 2)
    mask = np.broadcast_to(draws[:, :, None, None, None], (batch, total - 2, h, w, cp)).copy()
    write(official, "predrnn.py", predrnn.RNN, "predrnn_reverse_sampling_small", base, base_tensors,
          dict(base["config"], reverse_scheduled_sampling=1), mask, {},
          "As predrnn_small, but input.mask_true is [B, T-2, H/p, W/p, p*p*C]: with reverse scheduled sampling "
          "the model input at step t >= 1 is mask_true[:, t-1]*frames[:, t] + (1-mask_true[:, t-1])*x_gen(previous "
          "step), inside the input window as well.",
          "output.loss = nn.MSELoss()(next_frames, frames[:, 1:]) inside the official forward: all T-1 steps, patch space.")

    width = base["config"]["num_hidden"][0]
    adapter = torch.empty(width, width, 1, 1).normal_(0, 0.1, generator=torch.Generator().manual_seed(2))
    write(official, "predrnn_v2.py", predrnn_v2.RNN, "predrnn_v2_small", base, base_tensors,
          dict(base["config"], model="predrnn_v2", decouple_beta=0.1), base_tensors["input.mask_true"],
          {"adapter.weight": adapter.numpy()},
          "As predrnn_small; the extra parameter adapter.weight [N, N, 1, 1] is PredRNN-v2's shared adapter.",
          "output.loss = nn.MSELoss()(next_frames, frames[:, 1:]) + decouple_beta * mean over (step, layer) of "
          "mean over (batch, channel) of |cosine_similarity(normalize(adapter(delta_c)), normalize(adapter(delta_m)))| "
          "over the positions, inside the official forward; output.loss_mse is the first term.")
    return 0


def write(official, model_file_name, model_class, name, base, base_tensors, config, mask, extra, layout, loss_text):
    configs = types.SimpleNamespace(
        img_height=config["img_height"], img_width=config["img_width"], img_channel=config["img_channel"],
        patch_size=config["patch_size"], filter_size=config["filter_size"], stride=config["stride"],
        layer_norm=config["layer_norm"], batch_size=config["batch"], total_length=config["total_length"],
        input_length=config["input_length"], device="cpu",
        reverse_scheduled_sampling=config.get("reverse_scheduled_sampling", 0),
        decouple_beta=config.get("decouple_beta", 0), visual=0, visual_path="")
    torch.manual_seed(0)
    model = model_class(len(config["num_hidden"]), config["num_hidden"], configs)
    parameters = {n: base_tensors[n] for n in base["param_names_in_order"]}
    parameters.update(extra)
    model.load_state_dict({n: torch.from_numpy(v.copy()) for n, v in parameters.items()}, strict=True)
    frames = base_tensors["input.frames"]
    next_frames, loss = model(torch.from_numpy(frames.copy()), torch.from_numpy(np.ascontiguousarray(mask)))
    loss.backward()
    mse = torch.nn.MSELoss()(next_frames.detach(), torch.from_numpy(frames[:, 1:].copy()))
    tensors = dict(parameters)
    tensors.update({
        "input.frames": frames, "input.frames_raw": base_tensors["input.frames_raw"], "input.mask_true": mask,
        "output.next_frames": next_frames.detach().numpy(),
        "output.loss": loss.detach().numpy().reshape(1),
        "output.loss_mse": mse.numpy().reshape(1),
    })
    for parameter_name, parameter in model.named_parameters():
        tensors["grad." + parameter_name] = parameter.grad.numpy()
    tensors = {n: np.ascontiguousarray(v, dtype=np.float32) for n, v in tensors.items()}

    target = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "Fixtures", "project")
    os.makedirs(target, exist_ok=True)
    save_file(tensors, os.path.join(target, name + ".safetensors"))
    model_file = os.path.join(official, "core", "models", model_file_name)
    with open(model_file, "rb") as f:
        model_hash = hashlib.sha256(f.read()).hexdigest()
    sidecar = {
        "fixture": name,
        "made_by": "scripts/make-official-fixtures.py from the parameters and frames of predrnn_small",
        "official_model": f"thuml/predrnn-pytorch core/models/{model_file_name} RNN (sha256 {model_hash})",
        "torch_version": torch.__version__,
        "config": config,
        "param_names_in_order": [n for n, _ in model.named_parameters()],
        "loss": loss_text,
        "layout": layout,
        "loss_value": float(loss.item()),
        "loss_mse_value": float(mse.item()),
        "tensors": {n: {"shape": list(v.shape), "dtype": "float32"} for n, v in sorted(tensors.items())},
    }
    with open(os.path.join(target, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(sidecar, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{name}: loss {loss.item():.6f} (MSE {mse.item():.6f}), {len(tensors)} tensors → {target}")


if __name__ == "__main__":
    sys.exit(main())
