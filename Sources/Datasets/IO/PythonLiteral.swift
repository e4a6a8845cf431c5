/// The small subset of Python literal syntax that a `.npy` header dict uses:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (20, 10000, 64, 64), }`.
indirect enum PythonLiteral: Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case none
    case sequence([PythonLiteral])  // tuple or list
    case dictionary([(String, PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.boolean(x), .boolean(y)): return x == y
        case (.none, .none): return true
        case let (.sequence(x), .sequence(y)): return x == y
        case let (.dictionary(x), .dictionary(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    struct ParseError: Error { let reason: String }

    /// Parses the whole text (surrounding whitespace allowed) as one literal.
    static func parse(_ text: String) throws -> PythonLiteral {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.position == parser.bytes.count else {
            throw ParseError(reason: "unexpected text after the literal at offset \(parser.position)")
        }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        /// Open brackets around the current value: bounded, so a header of thousands of `{`
        /// cannot overflow the stack (a fuzzing finding). An .npy header nests two levels.
        var depth = 0
        static let maximumDepth = 32

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) {
                position += 1
            }
        }

        func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func value() throws -> PythonLiteral {
            skipSpace()
            guard let c = peek() else { throw ParseError(reason: "unexpected end of text") }
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maximumDepth else {
                throw ParseError(reason: "nested more than \(Self.maximumDepth) levels deep")
            }
            switch c {
            case UInt8(ascii: "{"):
                position += 1
                let items = try items(closing: UInt8(ascii: "}")) { parser in
                    guard case .string(let key) = try parser.value() else {
                        throw ParseError(reason: "dictionary keys must be strings")
                    }
                    parser.skipSpace()
                    guard parser.peek() == UInt8(ascii: ":") else {
                        throw ParseError(reason: "expected ':' after key '\(key)'")
                    }
                    parser.position += 1
                    return (key, try parser.value())
                }
                return .dictionary(items)
            case UInt8(ascii: "("), UInt8(ascii: "["):
                position += 1
                let closing = c == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
                return .sequence(try items(closing: closing) { try $0.value() })
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                return .string(try string(quote: c))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .integer(try integer())
            default:
                for (word, literal) in [("True", PythonLiteral.boolean(true)),
                                        ("False", .boolean(false)), ("None", .none)] {
                    let w = Array(word.utf8)
                    if bytes.count - position >= w.count,
                       Array(bytes[position..<position + w.count]) == w {
                        position += w.count
                        return literal
                    }
                }
                throw ParseError(reason: "unexpected character '\(Character(UnicodeScalar(c)))' "
                                 + "at offset \(position)")
            }
        }

        /// Comma-separated items up to `closing` (a trailing comma is allowed).
        mutating func items<T>(closing: UInt8, _ item: (inout Parser) throws -> T) throws -> [T] {
            var result: [T] = []
            while true {
                skipSpace()
                guard let c = peek() else { throw ParseError(reason: "unclosed bracket") }
                if c == closing {
                    position += 1
                    return result
                }
                result.append(try item(&self))
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    position += 1
                } else if peek() != closing {
                    throw ParseError(reason: "expected ',' at offset \(position)")
                }
            }
        }

        mutating func string(quote: UInt8) throws -> String {
            position += 1
            var scalars: [UInt8] = []
            while let c = peek(), c != quote {
                if c == UInt8(ascii: "\\") { position += 1 }
                guard let d = peek() else { break }
                scalars.append(d)
                position += 1
            }
            guard peek() == quote else { throw ParseError(reason: "unterminated string") }
            position += 1
            return String(decoding: scalars, as: UTF8.self)
        }

        mutating func integer() throws -> Int {
            let start = position
            if peek() == UInt8(ascii: "-") { position += 1 }
            while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { position += 1 }
            // Python 2 era files may write long integers as `64L`.
            let digits = String(decoding: bytes[start..<position], as: UTF8.self)
            if peek() == UInt8(ascii: "L") { position += 1 }
            guard let value = Int(digits) else {
                throw ParseError(reason: "bad integer '\(digits)'")
            }
            return value
        }
    }
}
