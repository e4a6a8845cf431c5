/// Element-wise kernels on raw tensors (no autodiff).
public enum Elementwise {
    /// target += source, in place. `target` must own its storage.
    public static func addInPlace(_ target: Tensor, _ source: Tensor) {
        precondition(target.count == source.count,
                     "addInPlace: shape \(target.shape) does not match \(source.shape)")
        let t = target.mutablePointer, s = source.pointer
        Parallel.forRanges(target.count) { range in
            for i in range { t[i] += s[i] }
        }
    }
}
