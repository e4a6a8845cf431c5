import Engine

extension I3DUnit {
    /// Whether the unit runs as three 2-D Winograd convolutions, one per temporal tap: the
    /// 3×3×3 stride-1 units, 70 % of I3D's multiply-adds, which F(2×2, 3×3) cuts 2.25×.
    var runsOnWinograd: Bool {
        kernel == (3, 3, 3) && stride == (1, 1, 1)
    }

    /// Conv (SAME: one zero on every side) + folded BN + ReLU of a 3×3×3 stride-1 unit on
    /// x [B, Cin, T, H, W]: out[t] = ReLU(bias + Σ_k conv2d(x[t + k − 1], W[:, :, k])), each 2-D
    /// convolution by Winograd over all B·T frames at once.
    func applyByTemporalTaps(_ x: Tensor) -> Tensor {
        let (batch, channels, time, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        let m = outputChannels
        let frames = Permute.apply(x, axes: [0, 2, 1, 3, 4]).reshaped([batch * time, channels, height, width])
        let geometry = ConvGeometry(op: "I3D", batch: batch * time, channels: channels, input: (1, height, width),
                                    kernel: (1, 3, 3), stride: (1, 1, 1), padding: (0, 1, 1))
        // taps[k]: [B·T, M, H, W], frame f correlated with the kernel's temporal slice k.
        let taps = (0..<3).map { k in
            Convolution.forward(frames, weight: temporalSlice(k), bias: nil, geometry: geometry, algorithm: .winograd)
        }
        let plane = height * width
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let biases = bias.pointer
        // The taps must outlive the loop that reads them through raw pointers (an optimised
        // build would otherwise release them after their last use as tensors).
        return Tensor(shape: [batch, m, time, height, width]) { out in withExtendedLifetime(taps) {
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let target = out.baseAddress!
            nonisolated(unsafe) let sources = taps.map(\.pointer)
            Parallel.forRanges(batch * m * time, minimumPerTask: max(1, 8192 / plane)) { units in
                for unit in units {
                    let (b, rest) = unit.quotientAndRemainder(dividingBy: m * time)
                    let (channel, t) = rest.quotientAndRemainder(dividingBy: time)
                    let destination = target + unit * plane
                    destination.update(repeating: biases[channel], count: plane)
                    for k in 0..<3 {
                        let frame = t + k - 1
                        guard frame >= 0 && frame < time else { continue }
                        let source = sources[k] + ((b * time + frame) * m + channel) * plane
                        for i in 0..<plane { destination[i] += source[i] }
                    }
                    for i in 0..<plane { destination[i] = max(destination[i], 0) }
                }
            }
        } }
    }

    /// The kernel's temporal slice k as a 2-D weight [M, Cin, 3, 3].
    private func temporalSlice(_ k: Int) -> Tensor {
        let (m, channels) = (weight.shape[0], weight.shape[1])
        return Tensor(shape: [m, channels, 3, 3]) { target in
            for row in 0..<(m * channels) {
                (target.baseAddress! + row * 9).update(from: weight.pointer + row * 27 + k * 9, count: 9)
            }
        }
    }
}
