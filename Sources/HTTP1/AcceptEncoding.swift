/// Content negotiation on Accept-Encoding (RFC 9110 §12.5.3) between the identity representation and
/// the precompressed variants a file has. Reads the field in place: nothing is allocated.
///
/// Rules, where the RFC leaves a choice:
/// - No Accept-Encoding field: identity. The RFC allows any coding then, but a client that says
///   nothing (curl without `--compressed`, a script) usually cannot decode one; nginx's gzip_static
///   does the same.
/// - A coding's weight is its own q, else that of `*`, else 0 (not acceptable). `x-gzip` is `gzip`
///   (§8.4.1.3). Codings and `q` are case-insensitive; a malformed q makes its element count as q=0,
///   the cautious reading.
/// - identity's weight is its own q, else that of `*`, else acceptable with the lowest preference
///   (§12.5.3: identity is acceptable unless excluded).
/// - The highest weight above 0 wins; ties go to the variants' order (the configured preference), and
///   a variant wins a tie with identity, since it is smaller.
/// - When nothing is acceptable, identity is sent anyway (the RFC's alternative is 406, which helps
///   nobody loading a page).
public enum AcceptEncoding {
    /// The variant to send, or nil for identity. `available` is in preference order.
    public static func choose(_ field: UnsafeRawBufferPointer?, available: [ContentCoding]) -> ContentCoding? {
        guard let field, !available.isEmpty else { return nil }
        let weights = Weights(parsing: field)
        var best: ContentCoding? = nil
        var bestWeight: Int16 = 0
        for coding in available {
            let weight = weights.weight(of: coding)
            if weight > bestWeight {
                best = coding
                bestWeight = weight
            }
        }
        guard let best else { return nil }
        return bestWeight >= weights.identityWeight ? best : nil
    }

    /// q-values in thousandths; -1 where the field does not name the coding.
    struct Weights {
        var br: Int16 = -1
        var zstd: Int16 = -1
        var gzip: Int16 = -1
        var identity: Int16 = -1
        var star: Int16 = -1

        init(parsing field: UnsafeRawBufferPointer) {
            var index = 0
            let count = field.count
            while index < count {
                // One element: coding *( OWS ";" OWS parameter ), up to the next comma.
                var end = index
                while end < count && field[end] != ASCII.comma { end += 1 }
                var nameEnd = index
                while nameEnd < end && field[nameEnd] != UInt8(ascii: ";") { nameEnd += 1 }
                let name = Self.trimmed(field, index, nameEnd)
                let weight = nameEnd < end ? Self.quality(field, nameEnd + 1, end) : 1000
                if !name.isEmpty {
                    record(field, name, weight)
                }
                index = end + 1
            }
        }

        func weight(of coding: ContentCoding) -> Int16 {
            let own: Int16
            switch coding {
            case .br: own = br
            case .zstd: own = zstd
            case .gzip: own = gzip
            }
            return own >= 0 ? own : max(star, 0)
        }

        /// identity's weight; when neither it nor `*` is named, 1 (a thousandth): acceptable, but
        /// after every named coding.
        var identityWeight: Int16 {
            identity >= 0 ? identity : star >= 0 ? star : 1
        }

        private mutating func record(_ field: UnsafeRawBufferPointer, _ name: Range<Int>, _ weight: Int16) {
            guard let base = field.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            let p = base + name.lowerBound
            let n = name.count
            // The first mention counts, as for any repeated parameter.
            func set(_ slot: inout Int16) { if slot < 0 { slot = weight } }
            if n == 1 && p[0] == ASCII.star {
                set(&star)
            } else if ASCII.equals(p, n, "br", folding: true) {
                set(&br)
            } else if ASCII.equals(p, n, "zstd", folding: true) {
                set(&zstd)
            } else if ASCII.equals(p, n, "gzip", folding: true) || ASCII.equals(p, n, "x-gzip", folding: true) {
                set(&gzip)
            } else if ASCII.equals(p, n, "identity", folding: true) {
                set(&identity)
            }
        }

        static func trimmed(_ field: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Range<Int> {
            var start = start
            var end = end
            while start < end && ASCII.isWhitespace(field[start]) { start += 1 }
            while end > start && ASCII.isWhitespace(field[end - 1]) { end -= 1 }
            return start..<end
        }

        /// The weight in the parameters `start..<end` (after the first `;`): `q=1`, `q=0.5`, `q=1.000`
        /// (RFC 9110 §12.4.2). Other parameters are ignored; a malformed q is 0.
        static func quality(_ field: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int16 {
            var index = start
            while index < end {
                var next = index
                while next < end && field[next] != UInt8(ascii: ";") { next += 1 }
                let parameter = trimmed(field, index, next)
                if parameter.count >= 2 && field[parameter.lowerBound] | 0x20 == UInt8(ascii: "q")
                    && field[parameter.lowerBound + 1] == UInt8(ascii: "=")
                {
                    return parse(field, parameter.lowerBound + 2, parameter.upperBound) ?? 0
                }
                index = next + 1
            }
            return 1000
        }

        private static func parse(_ field: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int16? {
            guard start < end else { return nil }
            let first = field[start]
            guard first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
            var value = Int16(first - UInt8(ascii: "0")) * 1000
            guard start + 1 < end else { return value }
            guard field[start + 1] == UInt8(ascii: "."), end - start - 2 <= 3 else { return nil }
            var scale: Int16 = 100
            for index in (start + 2)..<end {
                let digit = field[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value += Int16(digit) * scale
                scale /= 10
            }
            return value <= 1000 ? value : nil
        }
    }
}
