/// TOML's integer and float grammar, checked by hand so that forms the standard library would
/// accept but TOML forbids (`01`, `1.`, `.5`, `1__0`, `_1`) are rejected.
enum TOMLNumber: Equatable {
    case integer(Int64)
    case float(Double)
    /// Well-formed integer that does not fit in 64 bits.
    case outOfRange

    static func parse(_ token: [UInt8]) -> TOMLNumber? {
        var body = token[...]
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            body = body.dropFirst()
        }
        if body.count > 2, body.first == UInt8(ascii: "0"), let radix = radix(body[body.startIndex + 1]) {
            // TOML allows no sign on prefixed integers.
            guard token.count == body.count else { return nil }
            return parseRadix(body.dropFirst(2), radix: radix)
        }
        guard underscoresAreBetweenDigits(body, isDigit: isDecimalDigit) else { return nil }
        let digits = body.filter { $0 != UInt8(ascii: "_") }
        return parseDecimal(digits, signed: token.filter { $0 != UInt8(ascii: "_") })
    }

    /// `digits` is the number without sign or underscores; `signed` the same with its sign, for conversion.
    private static func parseDecimal(_ digits: [UInt8], signed: [UInt8]) -> TOMLNumber? {
        // Split into integer part, fraction and exponent, each checked for shape.
        var position = 0
        let integerStart = position
        while position < digits.count, isDecimalDigit(digits[position]) { position += 1 }
        let integerPart = digits[integerStart..<position]
        guard !integerPart.isEmpty else { return nil }
        if integerPart.count > 1 && integerPart.first == UInt8(ascii: "0") { return nil }
        var isFloat = false
        if position < digits.count, digits[position] == UInt8(ascii: ".") {
            isFloat = true
            position += 1
            let fractionStart = position
            while position < digits.count, isDecimalDigit(digits[position]) { position += 1 }
            guard position > fractionStart else { return nil }
        }
        if position < digits.count, digits[position] == UInt8(ascii: "e") || digits[position] == UInt8(ascii: "E") {
            isFloat = true
            position += 1
            if position < digits.count, digits[position] == UInt8(ascii: "+") || digits[position] == UInt8(ascii: "-") {
                position += 1
            }
            let exponentStart = position
            while position < digits.count, isDecimalDigit(digits[position]) { position += 1 }
            guard position > exponentStart else { return nil }
        }
        guard position == digits.count else { return nil }
        let text = String(decoding: signed, as: UTF8.self)
        if isFloat {
            return Double(text).map { .float($0) }
        }
        return Int64(text).map { .integer($0) } ?? .outOfRange
    }

    private static func parseRadix(_ body: ArraySlice<UInt8>, radix: Int64) -> TOMLNumber? {
        let isDigit: (UInt8) -> Bool = { byte in
            guard let value = TOMLParser.hexValue(byte) else { return false }
            return Int64(value) < radix
        }
        guard !body.isEmpty, underscoresAreBetweenDigits(body, isDigit: isDigit) else { return nil }
        var value: Int64 = 0
        for byte in body where byte != UInt8(ascii: "_") {
            guard let digit = TOMLParser.hexValue(byte), Int64(digit) < radix else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflowAdding) = shifted.addingReportingOverflow(Int64(digit))
            if overflow || overflowAdding { return .outOfRange }
            value = sum
        }
        return .integer(value)
    }

    private static func radix(_ byte: UInt8) -> Int64? {
        switch byte {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func underscoresAreBetweenDigits(_ body: ArraySlice<UInt8>, isDigit: (UInt8) -> Bool) -> Bool {
        for position in body.indices where body[position] == UInt8(ascii: "_") {
            guard position > body.startIndex, position + 1 < body.endIndex, isDigit(body[position - 1]),
                isDigit(body[position + 1])
            else { return false }
        }
        return true
    }
}
