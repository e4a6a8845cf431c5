extension Tensor {
    /// The fixtures' error measure: max |self − reference| / max |reference|, computed in Double.
    /// When the reference is all zeros, the plain max |self| is returned instead. A NaN on
    /// either side makes it infinite, so it never passes a tolerance.
    public func relativeError(to reference: Tensor) -> Double {
        let difference = maxAbsoluteDifference(to: reference)
        let scale = reference.maxAbsoluteValue
        return scale > 0 ? difference / scale : difference
    }

    /// max |self − reference|; infinite when either holds a NaN.
    public func maxAbsoluteDifference(to reference: Tensor) -> Double {
        Shape.check("maxAbsoluteDifference", shape, equals: reference.shape)
        var largest = 0.0
        for i in 0..<count {
            let difference = abs(Double(pointer[i]) - Double(reference.pointer[i]))
            largest = difference.isNaN ? .infinity : max(largest, difference)
        }
        return largest
    }

    /// max |self| (0 for an empty tensor).
    public var maxAbsoluteValue: Double {
        var largest = 0.0
        for i in 0..<count { largest = max(largest, Double(abs(pointer[i]))) }
        return largest
    }
}
