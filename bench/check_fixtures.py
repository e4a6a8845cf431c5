"""Check bench/torch_models.py against the official-code fixtures in shared/fixtures.

For each full-model fixture: load its parameters by name, run forward on input.frames with
input.mask_true, compute the MSE loss, backpropagate, and print
  err = max|ours - ref| / max|ref|
for next_frames, the loss, every gradient and (where stored) every trace. Also checks the Warp and
MotionGRU component fixtures. Exits non-zero if any error exceeds the tolerance (1e-4).

    python bench/check_fixtures.py [--fixtures DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import MotionGRU, Warp, build_model  # noqa: E402

TOL = 1e-4
FULL = ["motionrnn_predrnn_small", "motionrnn_predrnn_small_ln", "predrnn_small"]


def default_fixture_dir() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [
        os.path.join(os.environ["MOTIONRNN_SHARED"], "fixtures") if "MOTIONRNN_SHARED" in os.environ else None,
        os.path.join(here, "..", "..", "shared", "fixtures"),
        "/work/shared/fixtures",
    ]
    for c in candidates:
        if c and os.path.isdir(c):
            return os.path.abspath(c)
    raise SystemExit("fixtures not found: pass --fixtures DIR or set MOTIONRNN_SHARED")


def rel_err(ours: torch.Tensor, ref: torch.Tensor) -> float:
    ours = ours.detach().double()
    ref = ref.double()
    scale = ref.abs().max().item()
    diff = (ours - ref).abs().max().item()
    if scale == 0.0:
        return 0.0 if ours.abs().max().item() <= 1e-7 else float("inf")
    return diff / scale


def load_params(module: torch.nn.Module, tensors: dict, names: list[str], prefix: str = "") -> None:
    own = dict(module.named_parameters())
    missing = [n for n in own if prefix + n not in tensors]
    extra = [n for n in names if n not in own]
    if missing or extra or set(own) != set(names):
        raise SystemExit(f"parameter mismatch: missing in file {missing}, not in model {extra}")
    with torch.no_grad():
        for n, p in own.items():
            src = tensors[prefix + n]
            if tuple(src.shape) != tuple(p.shape):
                raise SystemExit(f"{n}: shape {tuple(src.shape)} in file vs {tuple(p.shape)} in model")
            p.copy_(src)


class Report:
    def __init__(self):
        self.worst = 0.0
        self.failed = []

    def fixture(self, name: str, rows: list[tuple[str, float]], show_all: bool) -> None:
        worst_name, worst = max(rows, key=lambda r: r[1])
        bad = [r for r in rows if not r[1] <= TOL]
        self.worst = max(self.worst, worst)
        self.failed += [(name, n) for n, _ in bad]
        groups: dict[str, list[float]] = {}
        for n, e in rows:
            groups.setdefault(n.split(".")[0] if "." in n else n, []).append(e)
        print(f"\n== {name}: {len(rows)} tensors, worst {worst:.3e} ({worst_name}) -> "
              f"{'PASS' if not bad else 'FAIL'}")
        for n, e in rows:
            if show_all or not n.startswith("trace."):
                print(f"  {e:.3e}  {n}")
        traces = [e for n, e in rows if n.startswith("trace.")]
        if traces and not show_all:
            print(f"  {max(traces):.3e}  (worst of {len(traces)} trace tensors; --all lists them)")


def check_full(fdir: str, name: str, rep: Report, show_all: bool) -> None:
    meta = json.load(open(os.path.join(fdir, name + ".json")))
    t = load_file(os.path.join(fdir, name + ".safetensors"))
    cfg = meta["config"]
    names = meta["param_names_in_order"]
    if isinstance(names, str):  # some sidecars store the list as its Python repr
        import ast
        names = ast.literal_eval(names)
    kind = "motionrnn_predrnn" if cfg["model"] == "MotionRNN_PredRNN" else "predrnn"
    assert cfg["img_height"] == cfg["img_width"]
    model = build_model(kind, cfg["num_hidden"], cfg["img_height"], cfg["img_channel"], cfg["patch_size"],
                        cfg["filter_size"], cfg["stride"], bool(cfg["layer_norm"]), cfg["input_length"])
    load_params(model, t, names)
    frames = t["input.frames"]
    mask = t["input.mask_true"]
    trace: dict = {}
    out = model(frames, mask, trace=trace)
    loss = torch.mean((out - frames[:, 1:]) ** 2)
    loss.backward()

    rows = [("output.next_frames", rel_err(out, t["output.next_frames"])),
            ("output.loss", rel_err(loss.reshape(1), t["output.loss"]))]
    for n, p in model.named_parameters():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        rows.append(("grad." + n, rel_err(g, t["grad." + n])))
    for key in sorted(k for k in t if k.startswith("trace.")):
        ours = trace.get(key[len("trace."):])
        if ours is None:
            rows.append((key + " (not produced)", float("inf")))
            continue
        rows.append((key, rel_err(torch.stack(ours), t[key])))
    print(f"\nloss ours {loss.item():.9f}  ref {t['output.loss'].item():.9f}  (sidecar {meta['loss_value']})")
    rep.fixture(name, rows, show_all)


def check_component(fdir: str, name: str, rep: Report) -> None:
    meta = json.load(open(os.path.join(fdir, name + ".json")))
    t = load_file(os.path.join(fdir, name + ".safetensors"))
    cfg = meta["config"]
    if name == "warp_small":
        mod = Warp(cfg["inc"], cfg["outc"])
        ins = {"x": t["input.x"].clone().requires_grad_(), "offset": t["input.offset"].clone().requires_grad_()}
        load_params(mod, t, meta["param_names_in_order"])
        outs = {"out": mod(ins["x"], ins["offset"])}
    else:
        mod = MotionGRU(cfg["in_channel"], cfg["motion_hidden"])
        ins = {k: t["input." + k].clone().requires_grad_() for k in ("x_t", "pre_offset", "mean")}
        load_params(mod, t, meta["param_names_in_order"])
        x, off, mean = mod(ins["x_t"], ins["pre_offset"], ins["mean"])
        outs = {"x": x, "offset": off, "mean": mean}
    loss = sum((outs[k] * t["loss_weight." + k]).sum() for k in outs if "loss_weight." + k in t)
    loss.backward()
    rows = [("output." + k, rel_err(v, t["output." + k])) for k, v in outs.items()]
    rows.append(("output.loss", rel_err(loss.reshape(1), t["output.loss"])))
    rows += [("grad." + n, rel_err(p.grad, t["grad." + n])) for n, p in mod.named_parameters()]
    rows += [("grad.input." + k, rel_err(v.grad, t["grad.input." + k])) for k, v in ins.items()]
    rep.fixture(name, rows, True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", default=None, help="fixture folder (default: ../shared/fixtures)")
    ap.add_argument("--all", action="store_true", help="list every trace tensor too")
    args = ap.parse_args()
    fdir = args.fixtures or default_fixture_dir()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, fixtures {fdir}, tolerance {TOL:g} (max|ours-ref| / max|ref|)")
    rep = Report()
    for name in ("warp_small", "motiongru_small"):
        check_component(fdir, name, rep)
    for name in FULL:
        check_full(fdir, name, rep, args.all)
    print(f"\nworst error over all fixtures: {rep.worst:.3e}")
    if rep.failed:
        print(f"FAIL: {len(rep.failed)} tensors above {TOL:g}: {rep.failed[:10]}")
        return 1
    print("PASS: every checked tensor within 1e-4")
    return 0


if __name__ == "__main__":
    sys.exit(main())
