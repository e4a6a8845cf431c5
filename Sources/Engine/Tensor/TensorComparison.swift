extension Tensor {
    /// The fixtures' error measure: max |self − reference| / max |reference|, computed in Double.
    /// When the reference is all zeros, the plain max |self| is returned instead.
    public func relativeError(to reference: Tensor) -> Double {
        Shape.check("relativeError", shape, equals: reference.shape)
        var largestDifference = 0.0, largestReference = 0.0
        for i in 0..<count {
            let ours = Double(pointer[i]), theirs = Double(reference.pointer[i])
            // A NaN must never pass: make it the largest difference.
            let difference = ours.isNaN || theirs.isNaN ? .infinity : abs(ours - theirs)
            largestDifference = max(largestDifference, difference)
            largestReference = max(largestReference, abs(theirs))
        }
        return largestReference > 0 ? largestDifference / largestReference : largestDifference
    }

    /// max |self − reference|.
    public func maxAbsoluteDifference(to reference: Tensor) -> Double {
        Shape.check("maxAbsoluteDifference", shape, equals: reference.shape)
        var largest = 0.0
        for i in 0..<count {
            let difference = abs(Double(pointer[i]) - Double(reference.pointer[i]))
            largest = difference.isNaN ? .infinity : max(largest, difference)
        }
        return largest
    }
}
