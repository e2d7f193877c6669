/// Fast appends for serialising response heads into a `[UInt8]`: no `String` is built per call.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of a string literal.
    @inlinable
    public mutating func append(_ string: StaticString) {
        string.withUTF8Buffer { self.append(contentsOf: $0) }
    }

    /// Appends the decimal digits of `value` (with a leading `-` when negative).
    @inlinable
    public mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            // `magnitude` keeps Int64.min representable.
            appendDecimal(value.magnitude)
        } else {
            appendDecimal(UInt64(value))
        }
    }

    @inlinable
    public mutating func appendDecimal(_ value: Int) { appendDecimal(Int64(value)) }

    @inlinable
    public mutating func appendDecimal(_ value: UInt64) {
        if value < 10 {
            append(UInt8(truncatingIfNeeded: value) &+ UInt8(ascii: "0"))
            return
        }
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits &+= 1
            rest /= 10
        }
        let start = count
        append(contentsOf: repeatElement(0, count: digits))
        var index = start &+ digits &- 1
        var remaining = value
        while index >= start {
            self[index] = UInt8(truncatingIfNeeded: remaining % 10) &+ UInt8(ascii: "0")
            remaining /= 10
            index &-= 1
        }
    }

    /// Appends lowercase hexadecimal digits of `value`, without leading zeros.
    @inlinable
    public mutating func appendHex(_ value: UInt64) {
        var digits = 1
        var rest = value >> 4
        while rest > 0 {
            digits &+= 1
            rest >>= 4
        }
        var shift = (digits &- 1) &* 4
        while shift >= 0 {
            let nibble = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & 0xF)
            append(nibble < 10 ? nibble &+ UInt8(ascii: "0") : nibble &+ (UInt8(ascii: "a") &- 10))
            shift &-= 4
        }
    }

    /// Appends raw bytes from a buffer (e.g. a slice of the request).
    @inlinable
    public mutating func append(bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes)
    }
}
