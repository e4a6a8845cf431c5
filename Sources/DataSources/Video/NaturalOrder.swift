import Imaging
/// Orders file names as people do: digit runs compare by value, so `frame2.png` comes before
/// `frame10.png`. Ties (e.g. `01` vs `1`) fall back to plain string order so sorting is total.
public enum NaturalOrder {
    public static func less(_ a: String, _ b: String) -> Bool {
        let ta = tokens(a), tb = tokens(b)
        for (x, y) in zip(ta, tb) {
            switch (x, y) {
            case (.number(let m, let ms), .number(let n, let ns)):
                if m != n { return m.count != n.count ? m.count < n.count : m < n }
                if ms != ns { return ms < ns }
            case (.text(let s), .text(let t)):
                if s.lowercased() != t.lowercased() { return s.lowercased() < t.lowercased() }
            case (.number, .text): return true
            case (.text, .number): return false
            }
        }
        if ta.count != tb.count { return ta.count < tb.count }
        return a < b
    }

    public static func sorted(_ names: [String]) -> [String] { names.sorted(by: less) }

    private enum Token {
        /// Digits without leading zeros (compared by length, then lexically: no overflow), and
        /// the original spelling.
        case number(String, String)
        case text(String)
    }

    private static func tokens(_ s: String) -> [Token] {
        var out = [Token]()
        var current = ""
        var inDigits = false
        func flush() {
            guard !current.isEmpty else { return }
            if inDigits {
                let trimmed = String(current.drop { $0 == "0" })
                out.append(.number(trimmed, current))
            } else {
                out.append(.text(current))
            }
            current = ""
        }
        for ch in s {
            let digit = ch.isASCII && ch.isNumber
            if digit != inDigits { flush(); inDigits = digit }
            current.append(ch)
        }
        flush()
        return out
    }
}
