"""PyTorch baseline models for the CPU benchmark (issue 5).

Written from docs/SPEC.md §3-§5 (shared/docs/SPEC.md), not from the official release. Parameter
names follow the official state_dict names, so the fixtures' safetensors (and any checkpoint
exported by the Swift engine with the same names) load with `load_state_dict`.

Models:
  * `PredRNN`            - stacked ST-LSTM (§3, no highway).
  * `MotionRNNPredRNN`   - ST-LSTM with Motion Highway + MotionGRU/Warp between layers (§3-§5).

Both take `frames [B, T, h, w, Cp]` (patch space, channels last) and `mask [B, T-in-1, h, w, Cp]`
and return `next_frames [B, T-1, h, w, Cp]`. All initial recurrent states are zero (§8).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["STLSTMCell", "Warp", "MotionGRU", "PredRNN", "MotionRNNPredRNN", "build_model"]


def _conv_block(cin: int, cout: int, k: int, stride: int, layer_norm: bool, size: int) -> nn.Sequential:
    """Bias-free k×k convolution, optionally followed by a LayerNorm over [cout, size, size].

    Kept as a Sequential so the parameter names are `<name>.0.weight` (and `.1.weight/.1.bias`).
    """
    conv = nn.Conv2d(cin, cout, kernel_size=k, stride=stride, padding=k // 2, bias=False)
    if layer_norm:
        return nn.Sequential(conv, nn.LayerNorm([cout, size, size]))
    return nn.Sequential(conv)


class STLSTMCell(nn.Module):
    """Spatiotemporal LSTM cell (SPEC §3); `highway=None` gives plain PredRNN's cell."""

    def __init__(self, cin: int, hidden: int, size: int, k: int, stride: int = 1, layer_norm: bool = False):
        super().__init__()
        n = hidden
        self.hidden = n
        self.conv_x = _conv_block(cin, 7 * n, k, stride, layer_norm, size)
        self.conv_h = _conv_block(n, 4 * n, k, stride, layer_norm, size)
        self.conv_m = _conv_block(n, 3 * n, k, stride, layer_norm, size)
        self.conv_o = _conv_block(2 * n, n, k, stride, layer_norm, size)
        self.conv_last = nn.Conv2d(2 * n, n, kernel_size=1, bias=False)

    def forward(self, x, h, c, m, highway=None):
        n = self.hidden
        xi, xf, xg, xi2, xf2, xg2, xo = torch.split(self.conv_x(x), n, dim=1)
        hi, hf, hg, ho = torch.split(self.conv_h(h), n, dim=1)
        mi, mf, mg = torch.split(self.conv_m(m), n, dim=1)

        c_new = torch.sigmoid(xf + hf + 1.0) * c + torch.sigmoid(xi + hi) * torch.tanh(xg + hg)
        m_new = torch.sigmoid(xf2 + mf + 1.0) * m + torch.sigmoid(xi2 + mi) * torch.tanh(xg2 + mg)

        cm = torch.cat([c_new, m_new], dim=1)
        o = torch.sigmoid(xo + ho + self.conv_o(cm))
        h_new = o * torch.tanh(self.conv_last(cm))
        if highway is not None:
            h_new = h_new + (1.0 - o) * highway
        return h_new, c_new, m_new


class Warp(nn.Module):
    """Modulated deformable 3×3 sampling followed by a stride-3 reduction (SPEC §4.1).

    Vectorised: the sampling positions of all pixels and all 9 neighbours are computed at once and
    the four bilinear corners are fetched with `torch.gather` from the flattened, zero-padded map.
    """

    K = 3  # neighbourhood side

    def __init__(self, cin: int, cout: int):
        super().__init__()
        k = self.K
        self.conv = nn.Conv2d(cin, cout, kernel_size=k, stride=k, bias=False)
        self.warp_gate = nn.Conv2d(cin, k * k, kernel_size=3, padding=1, bias=True)

    def forward(self, x: torch.Tensor, offset: torch.Tensor) -> torch.Tensor:
        k = self.K
        nn_ = k * k
        b, ch, hh, ww = x.shape
        gate = torch.sigmoid(self.warp_gate(x))                       # [B, 9, h, w]

        hp, wp = hh + 2, ww + 2
        padded = F.pad(x, (1, 1, 1, 1))                                # [B, C, h+2, w+2]

        # Base positions in padded coordinates: (i + 1) + (a - 1) = i + a, (j + 1) + (b - 1) = j + b.
        dev, dt = x.device, x.dtype
        a = torch.arange(k, device=dev, dtype=dt).repeat_interleave(k)   # row offset index per n
        bb = torch.arange(k, device=dev, dtype=dt).repeat(k)             # col offset index per n
        ii = torch.arange(hh, device=dev, dtype=dt).view(1, 1, hh, 1)
        jj = torch.arange(ww, device=dev, dtype=dt).view(1, 1, 1, ww)
        py = offset[:, :nn_] + (ii + a.view(1, nn_, 1, 1))               # [B, 9, h, w]
        px = offset[:, nn_:] + (jj + bb.view(1, nn_, 1, 1))

        with torch.no_grad():
            y0f = torch.floor(py)
            x0f = torch.floor(px)
            y0 = y0f.clamp(0, hp - 1)
            y1 = (y0f + 1).clamp(0, hp - 1)
            x0 = x0f.clamp(0, wp - 1)
            x1 = (x0f + 1).clamp(0, wp - 1)
        pyc = py.clamp(0, hp - 1)
        pxc = px.clamp(0, wp - 1)

        wy0 = 1.0 + (y0 - pyc)
        wy1 = 1.0 - (y1 - pyc)
        wx0 = 1.0 + (x0 - pxc)
        wx1 = 1.0 - (x1 - pxc)

        flat = padded.reshape(b, ch, hp * wp)
        npts = nn_ * hh * ww

        def fetch(yy, xx):
            idx = (yy * wp + xx).to(torch.long).reshape(b, 1, npts).expand(b, ch, npts)
            return torch.gather(flat, 2, idx).view(b, ch, nn_, hh, ww)

        sampled = (
            fetch(y0, x0) * (wy0 * wx0).unsqueeze(1)
            + fetch(y1, x1) * (wy1 * wx1).unsqueeze(1)
            + fetch(y0, x1) * (wy0 * wx1).unsqueeze(1)
            + fetch(y1, x0) * (wy1 * wx0).unsqueeze(1)
        )                                                               # [B, C, 9, h, w]
        sampled = sampled * gate.unsqueeze(1)

        # out[o, i, j] = sum_{c, n} W[o, c, n] * S[c, n, i, j]  (n = 3a + b <-> kernel tap (a, b)).
        w = self.conv.weight.reshape(self.conv.out_channels, ch * nn_)
        out = torch.matmul(w, sampled.reshape(b, ch * nn_, hh * ww))     # [B, Cout, h*w]
        return out.view(b, self.conv.out_channels, hh, ww)


class MotionGRU(nn.Module):
    """Transient variation + trending momentum + Warp (SPEC §4), at the encoded resolution."""

    def __init__(self, cin: int, motion_hidden: int = 18, alpha: float = 0.5):
        super().__init__()
        self.alpha = alpha
        self.update = nn.Conv2d(cin + motion_hidden, motion_hidden, 3, padding=1, bias=True)
        self.reset = nn.Conv2d(cin + motion_hidden, motion_hidden, 3, padding=1, bias=True)
        self.output = nn.Conv2d(cin + motion_hidden, motion_hidden, 3, padding=1, bias=True)
        self.warp = Warp(cin, cin)

    def forward(self, e, f_prev, d_prev):
        ef = torch.cat([e, f_prev], dim=1)
        u = torch.sigmoid(self.update(ef))
        r = torch.sigmoid(self.reset(ef))
        z = torch.tanh(self.output(torch.cat([e, r * f_prev], dim=1)))
        transient = u * z + (1.0 - u) * f_prev
        trend = d_prev + self.alpha * (f_prev - d_prev)
        motion = transient + trend
        return self.warp(e, motion), motion, trend


def _frames_to_nchw(frames: torch.Tensor) -> torch.Tensor:
    """[B, T, h, w, C] -> [B, T, C, h, w] (contiguous)."""
    return frames.permute(0, 1, 4, 2, 3).contiguous()


class _Recurrent(nn.Module):
    """Shared unroll over time with scheduled sampling (SPEC §2)."""

    def __init__(self, num_hidden, cp: int, size: int, filter_size: int, stride: int, layer_norm: bool,
                 input_length: int):
        super().__init__()
        self.num_hidden = list(num_hidden)
        self.num_layers = len(self.num_hidden)
        self.cp = cp
        self.size = size
        self.input_length = input_length
        self.cell_list = nn.ModuleList(
            STLSTMCell(cp if l == 0 else self.num_hidden[l - 1], self.num_hidden[l], size, filter_size,
                       stride, layer_norm)
            for l in range(self.num_layers)
        )
        self.conv_last = nn.Conv2d(self.num_hidden[-1], cp, kernel_size=1, bias=False)

    def _init_states(self, b, dev, dt):
        z = [torch.zeros(b, n, self.size, self.size, device=dev, dtype=dt) for n in self.num_hidden]
        return z, [t.clone() for t in z]

    def forward(self, frames: torch.Tensor, mask: torch.Tensor, trace: dict | None = None) -> torch.Tensor:
        seq = _frames_to_nchw(frames)
        msk = _frames_to_nchw(mask)
        b, t_total = seq.shape[0], seq.shape[1]
        state = self._begin(b, seq.device, seq.dtype)
        preds = []
        x_gen = None
        for t in range(t_total - 1):
            if t < self.input_length:
                net = seq[:, t]
            else:
                mt = msk[:, t - self.input_length]
                net = mt * seq[:, t] + (1.0 - mt) * x_gen
            top = self._step(net, state, trace)
            x_gen = self.conv_last(top)
            preds.append(x_gen)
        out = torch.stack(preds, dim=1)                                   # [B, T-1, C, h, w]
        return out.permute(0, 1, 3, 4, 2).contiguous()

    @staticmethod
    def _rec(trace, key, value):
        if trace is not None:
            trace.setdefault(key, []).append(value.detach().clone())


class PredRNN(_Recurrent):
    """Plain PredRNN: stacked ST-LSTM with the zig-zag memory (SPEC §3)."""

    def _begin(self, b, dev, dt):
        h, c = self._init_states(b, dev, dt)
        m = torch.zeros(b, self.num_hidden[0], self.size, self.size, device=dev, dtype=dt)
        return {"h": h, "c": c, "m": m}

    def _step(self, net, s, trace):
        x = net
        for l, cell in enumerate(self.cell_list):
            self._rec(trace, f"cell{l}.in_x", x)
            self._rec(trace, f"cell{l}.in_h", s["h"][l])
            self._rec(trace, f"cell{l}.in_c", s["c"][l])
            self._rec(trace, f"cell{l}.in_m", s["m"])
            h, c, m = cell(x, s["h"][l], s["c"][l], s["m"])
            self._rec(trace, f"cell{l}.out_h", h)
            self._rec(trace, f"cell{l}.out_c", c)
            self._rec(trace, f"cell{l}.out_m", m)
            s["h"][l], s["c"][l], s["m"] = h, c, m
            x = h
        return x


class MotionRNNPredRNN(_Recurrent):
    """MotionRNN on the PredRNN backbone (SPEC §5).

    Per step: highway = conv_first_v(net); for each layer l the ST-LSTM (with highway) gives H'_l;
    the next layer's highway is this uncorrected H'_l; for l < L-1 the MotionGRU branch
    (enc -> MotionGRU -> dec -> gate) corrects H'_l, and the corrected state is both the next
    layer's input and what layer l carries to the next step.
    """

    MOTION_HIDDEN = 18

    def __init__(self, num_hidden, cp, size, filter_size, stride, layer_norm, input_length, alpha=0.5):
        super().__init__(num_hidden, cp, size, filter_size, stride, layer_norm, input_length)
        nh = self.num_hidden
        k = filter_size
        nl = self.num_layers
        self.half = (size + 2 * (k // 2) - k) // 2 + 1
        self.motion_list = nn.ModuleList(MotionGRU(nh[l] // 4, self.MOTION_HIDDEN, alpha) for l in range(nl - 1))
        self.enc_list = nn.ModuleList(
            nn.Conv2d(nh[l], nh[l] // 4, kernel_size=k, stride=2, padding=k // 2) for l in range(nl - 1))
        self.dec_list = nn.ModuleList(
            nn.ConvTranspose2d(nh[l] // 4, nh[l], kernel_size=4, stride=2, padding=1) for l in range(nl - 1))
        self.gate_list = nn.ModuleList(
            nn.Conv2d(2 * nh[l], nh[l], kernel_size=k, padding=k // 2) for l in range(nl - 1))
        self.conv_first_v = nn.Conv2d(cp, nh[0], kernel_size=1, bias=False)

    def _begin(self, b, dev, dt):
        h, c = self._init_states(b, dev, dt)
        m = torch.zeros(b, self.num_hidden[0], self.size, self.size, device=dev, dtype=dt)
        mh = self.MOTION_HIDDEN
        f = [torch.zeros(b, mh, self.half, self.half, device=dev, dtype=dt) for _ in range(self.num_layers - 1)]
        d = [torch.zeros_like(x) for x in f]
        return {"h": h, "c": c, "m": m, "f": f, "d": d}

    def _step(self, net, s, trace):
        highway = self.conv_first_v(net)
        x = net
        last = self.num_layers - 1
        for l, cell in enumerate(self.cell_list):
            self._rec(trace, f"cell{l}.in_x", x)
            self._rec(trace, f"cell{l}.in_h", s["h"][l])
            self._rec(trace, f"cell{l}.in_c", s["c"][l])
            self._rec(trace, f"cell{l}.in_m", s["m"])
            self._rec(trace, f"cell{l}.in_highway", highway)
            h, c, m = cell(x, s["h"][l], s["c"][l], s["m"], highway)
            self._rec(trace, f"cell{l}.out_h", h)
            self._rec(trace, f"cell{l}.out_c", c)
            self._rec(trace, f"cell{l}.out_m", m)
            s["c"][l], s["m"] = c, m
            highway = h
            if l < last:
                e = self.enc_list[l](h)
                self._rec(trace, f"motiongru{l}.in_x", e)
                self._rec(trace, f"motiongru{l}.in_pre_offset", s["f"][l])
                self._rec(trace, f"motiongru{l}.in_mean", s["d"][l])
                warped, s["f"][l], s["d"][l] = self.motion_list[l](e, s["f"][l], s["d"][l])
                self._rec(trace, f"motiongru{l}.out_x", warped)
                self._rec(trace, f"motiongru{l}.out_offset", s["f"][l])
                self._rec(trace, f"motiongru{l}.out_mean", s["d"][l])
                hd = self.dec_list[l](warped)
                self._rec(trace, f"dec{l}.out", hd)
                logits = self.gate_list[l](torch.cat([hd, h], dim=1))
                self._rec(trace, f"gate{l}.out_logits", logits)
                g = torch.sigmoid(logits)
                h = g * hd + (1.0 - g) * h
            s["h"][l] = h
            x = h
        return x


def build_model(kind: str, num_hidden, img_size: int, img_channel: int, patch: int, filter_size: int,
                stride: int = 1, layer_norm: bool = False, input_length: int = 10) -> _Recurrent:
    """kind: 'motionrnn_predrnn' (official 'MotionRNN_PredRNN') or 'predrnn'."""
    cp = patch * patch * img_channel
    size = img_size // patch
    key = kind.lower()
    if key in ("motionrnn_predrnn", "motionrnn"):
        return MotionRNNPredRNN(num_hidden, cp, size, filter_size, stride, layer_norm, input_length)
    if key == "predrnn":
        return PredRNN(num_hidden, cp, size, filter_size, stride, layer_norm, input_length)
    raise ValueError(f"unknown model kind {kind!r}")
