"""PyTorch CPU baseline timings for issue 5 (MotionRNN-PredRNN and PredRNN, V-MNIST configuration).

Default configuration (the paper's V-MNIST setting): 64×64×1 frames, patch 4 (so 16×16×16 in patch
space), 4 layers, filter 5, 10 -> 10 frames (T = 20), batch 8, Adam lr 3e-4, loss MSE + L1.

Measurements, each in a FRESH child process (so peak RSS values don't mix):
  train_step  forward (scheduled-sampling mask) + loss + backward + Adam step; no reverse input
  inference   forward under torch.no_grad() with mask = 0 (the model feeds on its predictions)
Each child runs --warmup untimed repetitions, then --reps timed ones, and prints ONE JSON line:
  {"engine":"pytorch","model":...,"channels":...,"what":"train_step"|"inference",
   "median_s":...,"runs":[...],"peak_rss_mb":..., ...}
peak_rss_mb is the child's getrusage(RUSAGE_SELF).ru_maxrss (the interpreter and torch included).

    python bench/torch_bench.py                                   # both models, 64 and 32 channels
    python bench/torch_bench.py --model motionrnn_predrnn --channels 64 --what train_step --reps 5
    python bench/torch_bench.py --params weights_{model}_{channels}.safetensors   # same weights as ours
    python bench/torch_bench.py --one --model predrnn --channels 32 --what inference  # one, in-process
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = ("motionrnn_predrnn", "predrnn")
WHATS = ("train_step", "inference")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", nargs="+", default=list(MODELS), choices=list(MODELS) + ["all"])
    ap.add_argument("--channels", nargs="+", type=int, default=[64, 32], help="hidden channels per layer")
    ap.add_argument("--what", nargs="+", default=list(WHATS), choices=list(WHATS))
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions per measurement")
    ap.add_argument("--warmup", type=int, default=1, help="untimed repetitions first")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--omp-wait", choices=["default", "passive", "active"], default="default",
                    help="OMP_WAIT_POLICY for the measuring process (default: leave the environment as is). "
                         "On a loaded machine 'passive' avoids the spin-wait penalty of oversubscription")
    ap.add_argument("--loss", choices=["mse+l1", "mse"], default="mse+l1")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--filter", type=int, default=5)
    ap.add_argument("--img", type=int, default=64, help="frame height = width")
    ap.add_argument("--img-channels", type=int, default=1)
    ap.add_argument("--patch", type=int, default=4)
    ap.add_argument("--input-length", type=int, default=10)
    ap.add_argument("--total-length", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0, help="seed for random weights and data")
    ap.add_argument("--params", default=None,
                    help="safetensors file of parameters (official names); may contain {model} and {channels}")
    ap.add_argument("--one", action="store_true", help="run exactly one measurement in this process")
    args = ap.parse_args(argv)
    if "all" in args.model:
        args.model = list(MODELS)
    return args


def child_argv(args, model: str, channels: int, what: str) -> list[str]:
    a = [sys.executable, os.path.abspath(__file__), "--one", "--model", model, "--channels", str(channels),
         "--what", what, "--reps", str(args.reps), "--warmup", str(args.warmup), "--threads", str(args.threads),
         "--omp-wait", args.omp_wait,
         "--loss", args.loss, "--lr", repr(args.lr), "--batch", str(args.batch), "--layers", str(args.layers),
         "--filter", str(args.filter), "--img", str(args.img), "--img-channels", str(args.img_channels),
         "--patch", str(args.patch), "--input-length", str(args.input_length),
         "--total-length", str(args.total_length), "--seed", str(args.seed)]
    if args.params:
        a += ["--params", args.params]
    return a


def load_params(model, path: str) -> None:
    from safetensors.torch import load_file
    import torch

    tensors = load_file(path)
    own = dict(model.named_parameters())
    missing = [n for n in own if n not in tensors]
    if missing:
        raise SystemExit(f"{path}: missing parameters {missing[:8]}{' ...' if len(missing) > 8 else ''}")
    with torch.no_grad():
        for n, p in own.items():
            src = tensors[n]
            if tuple(src.shape) != tuple(p.shape):
                raise SystemExit(f"{path}: {n} has shape {tuple(src.shape)}, model wants {tuple(p.shape)}")
            p.copy_(src.to(p.dtype))


def measure_one(args) -> dict:
    if args.omp_wait != "default":
        os.environ["OMP_WAIT_POLICY"] = args.omp_wait.upper()  # read by OpenMP when torch loads
    import torch

    sys.path.insert(0, HERE)
    from torch_models import build_model

    model_name, channels, what = args.model[0], args.channels[0], args.what[0]
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = build_model(model_name, [channels] * args.layers, args.img, args.img_channels, args.patch,
                        args.filter, 1, False, args.input_length)
    params_file = None
    if args.params:
        params_file = args.params.format(model=model_name, channels=channels)
        load_params(model, params_file)

    size = args.img // args.patch
    cp = args.patch * args.patch * args.img_channels
    b, t_total, t_in = args.batch, args.total_length, args.input_length
    gen = torch.Generator().manual_seed(args.seed + 1)
    frames = torch.rand(b, t_total, size, size, cp, generator=gen)
    if what == "train_step":
        # Scheduled-sampling mask, constant per (sequence, step) as in training (eta = 0.5 here).
        mask = (torch.rand(b, t_total - t_in - 1, 1, 1, 1, generator=gen) < 0.5).float()
        mask = mask.expand(b, t_total - t_in - 1, size, size, cp).contiguous()
    else:
        mask = torch.zeros(b, t_total - t_in - 1, size, size, cp)
    target = frames[:, 1:]

    if what == "train_step":
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)

        def run():
            opt.zero_grad(set_to_none=True)
            out = model(frames, mask)
            diff = out - target
            loss = torch.mean(diff * diff)
            if args.loss == "mse+l1":
                loss = loss + torch.mean(diff.abs())
            loss.backward()
            opt.step()
            return loss.item()
    else:
        model.eval()

        def run():
            with torch.no_grad():
                out = model(frames, mask)
            return float(out[0, -1, 0, 0, 0])

    rss_setup_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    for _ in range(args.warmup):
        run()
    runs = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        run()
        runs.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {
        "engine": "pytorch",
        "model": model_name,
        "channels": channels,
        "what": what,
        "median_s": statistics.median(runs),
        "runs": [round(r, 6) for r in runs],
        "peak_rss_mb": round(peak_mb, 1),
        "setup_rss_mb": round(rss_setup_mb, 1),
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "warmup": args.warmup,
        "batch": b,
        "layers": args.layers,
        "filter": args.filter,
        "frames": f"{t_in}->{t_total - t_in}",
        "patch_space": [size, size, cp],
        "loss": args.loss if what == "train_step" else None,
        "params": params_file or f"random(seed={args.seed})",
        "torch": torch.__version__,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.one:
        if len(args.model) != 1 or len(args.channels) != 1 or len(args.what) != 1:
            raise SystemExit("--one takes exactly one --model, one --channels and one --what")
        print(json.dumps(measure_one(args)), flush=True)
        return 0
    status = 0
    for model in args.model:
        for ch in args.channels:
            for what in args.what:
                proc = subprocess.run(child_argv(args, model, ch, what), stdout=subprocess.PIPE, text=True)
                lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
                if proc.returncode != 0 or not lines:
                    print(f"measurement {model}/{ch}/{what} failed (exit {proc.returncode})", file=sys.stderr)
                    status = 1
                    continue
                print(lines[-1], flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
