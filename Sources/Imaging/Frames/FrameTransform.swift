/// Which part of a frame to keep before resizing.
public enum Crop: Sendable, Equatable {
    /// The centred `width`×`height` rectangle.
    case center(width: Int, height: Int)
    /// The largest centred square.
    case centerSquare
    /// The centred rectangle of `fraction` of the width and of the height (0 < fraction ≤ 1),
    /// e.g. 0.5 for Human3.6M's "centre crop of half the frame".
    case centerFraction(Double)

    /// The crop's size for a `width`×`height` source; throws when it does not fit.
    public func size(width: Int, height: Int, path: String) throws -> (width: Int, height: Int) {
        let result: (Int, Int)
        switch self {
        case .center(let w, let h): result = (w, h)
        case .centerSquare: result = (min(width, height), min(width, height))
        case .centerFraction(let f):
            guard f > 0 && f <= 1 else { throw ImagingError.invalidInput("crop fraction \(f) is not in (0, 1]") }
            result = (max(1, Int((Double(width) * f).rounded())), max(1, Int((Double(height) * f).rounded())))
        }
        guard result.0 > 0, result.1 > 0, result.0 <= width, result.1 <= height else {
            throw ImagingError.invalidInput(
                "\(path): cannot crop \(result.0)×\(result.1) from a \(width)×\(height) frame")
        }
        return result
    }
}

/// What to do to every decoded frame: convert channels, crop, then resize.
public struct FrameTransform: Sendable, Equatable {
    /// 1 (gray) or 3 (RGB); nil keeps what the file has (sequences follow their first frame).
    public var channels: Int?
    public var crop: Crop?
    /// Target (width, height) after cropping.
    public var resize: (width: Int, height: Int)?
    public var resizeMethod: ResizeMethod

    public init(channels: Int? = nil, crop: Crop? = nil, resize: (width: Int, height: Int)? = nil,
                resizeMethod: ResizeMethod = .bilinear) {
        precondition(channels == nil || channels == 1 || channels == 3,
                     "FrameTransform: channels must be 1 or 3, got \(channels!)")
        precondition(resize == nil || (resize!.width > 0 && resize!.height > 0),
                     "FrameTransform: resize target must be positive")
        self.channels = channels
        self.crop = crop
        self.resize = resize
        self.resizeMethod = resizeMethod
    }

    public static let none = FrameTransform()

    public static func == (a: FrameTransform, b: FrameTransform) -> Bool {
        a.channels == b.channels && a.crop == b.crop && a.resize?.width == b.resize?.width
            && a.resize?.height == b.resize?.height && a.resizeMethod == b.resizeMethod
    }

    /// The frame size this transform produces from a `width`×`height` source.
    public func outputSize(width: Int, height: Int, path: String) throws -> (width: Int, height: Int) {
        if let resize { _ = try crop?.size(width: width, height: height, path: path); return resize }
        return try crop?.size(width: width, height: height, path: path) ?? (width, height)
    }

    /// Applies the transform to a frame decoded in Swift (PNG); `path` labels errors.
    public func apply(_ image: Image, path: String) throws -> Image {
        var out = image
        if let channels { out = out.converted(toChannels: channels) }
        if let crop {
            let (w, h) = try crop.size(width: out.width, height: out.height, path: path)
            out = out.centerCropped(width: w, height: h)
        }
        if let resize { out = out.resized(width: resize.width, height: resize.height, method: resizeMethod) }
        return out
    }
}
