/// Content negotiation on Accept (RFC 9110 §12.5.1) between the two forms of a generated page, HTML
/// and JSON. Reads the field in place: nothing is allocated.
///
/// Each form's weight is the q of the most specific range that matches it (`application/json`, then
/// `application/*`, then `*/*`), 0 when none does; a missing field accepts anything. JSON wins only
/// with a strictly higher weight, so browsers (`text/html,…,*/*;q=0.8`), `*/*` and curl get HTML.
public enum AcceptMediaType {
    public static func prefersJSON(_ field: UnsafeRawBufferPointer?) -> Bool {
        guard let field else { return false }
        var json = Match()
        var html = Match()
        var index = 0
        let count = field.count
        while index < count {
            var end = index
            while end < count && field[end] != ASCII.comma { end += 1 }
            var rangeEnd = index
            while rangeEnd < end && field[rangeEnd] != UInt8(ascii: ";") { rangeEnd += 1 }
            let range = AcceptEncoding.Weights.trimmed(field, index, rangeEnd)
            if !range.isEmpty {
                let weight = rangeEnd < end ? AcceptEncoding.Weights.quality(field, rangeEnd + 1, end) : 1000
                let text = UnsafeRawBufferPointer(rebasing: field[range])
                json.consider(text, type: "application", subtype: "json", weight: weight)
                html.consider(text, type: "text", subtype: "html", weight: weight)
            }
            index = end + 1
        }
        return json.weight > html.weight
    }

    /// The most specific range seen so far that matches one media type, and its weight.
    private struct Match {
        var specificity = 0
        var weight: Int16 = 0

        mutating func consider(
            _ range: UnsafeRawBufferPointer, type: StaticString, subtype: StaticString, weight: Int16
        ) {
            guard let slash = range.firstIndex(of: ASCII.slash) else { return }
            let rangeType = UnsafeRawBufferPointer(rebasing: range[..<slash])
            let rangeSubtype = UnsafeRawBufferPointer(rebasing: range[(slash + 1)...])
            let specificity: Int
            if Self.isStar(rangeType) && Self.isStar(rangeSubtype) {
                specificity = 1
            } else if Self.equals(rangeType, type) {
                if Self.isStar(rangeSubtype) {
                    specificity = 2
                } else if Self.equals(rangeSubtype, subtype) {
                    specificity = 3
                } else {
                    return
                }
            } else {
                return
            }
            // The most specific range decides; among equals, the first (a repeated range is odd anyway).
            if specificity > self.specificity {
                self.specificity = specificity
                self.weight = weight
            }
        }

        private static func isStar(_ bytes: UnsafeRawBufferPointer) -> Bool {
            bytes.count == 1 && bytes[0] == ASCII.star
        }

        private static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
            guard let base = bytes.baseAddress else { return literal.utf8CodeUnitCount == 0 }
            return ASCII.equals(base.assumingMemoryBound(to: UInt8.self), bytes.count, literal, folding: true)
        }
    }
}
