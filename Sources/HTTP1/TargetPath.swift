/// A request path made safe for opening relative to the site root.
public struct ResolvedPath: Sendable, Equatable {
    /// The path below the root: `""` is the root itself, otherwise e.g. `"a/b.html"`. Never starts with
    /// `/`, never contains an empty, `.` or `..` segment.
    public var relative: String
    /// The request path ended with `/` (or with a `.`/`..` segment, which names a directory).
    public var trailingSlash: Bool
    /// Some segment starts with `.` (a dotfile or dot-directory), for the dotfiles policy.
    public var hasDotSegmentName: Bool

    public init(relative: String, trailingSlash: Bool, hasDotSegmentName: Bool) {
        self.relative = relative
        self.trailingSlash = trailingSlash
        self.hasDotSegmentName = hasDotSegmentName
    }
}

/// Why a request path was refused. Every case is answered with 400, like nginx.
public enum TargetPathError: Error, Sendable, Equatable {
    /// `%` not followed by two hexadecimal digits.
    case invalidPercentEncoding
    /// A NUL byte (`%00`): would truncate the path at the syscall boundary.
    case nul
    /// A backslash, raw or `%5C`: a path separator on other systems, never a legitimate name here.
    case backslash
    /// `..` segments that would climb above the root.
    case aboveRoot
    /// The decoded path is not valid UTF-8 (this also rejects overlong forms such as `%C0%AE`).
    case invalidUTF8
    /// The path does not start with `/` (e.g. the `*` of `OPTIONS *`).
    case notAbsolute
}

/// Turns the raw path part of a request-target into a `ResolvedPath`.
///
/// The path is percent-decoded exactly once, then split on `/` — so `%2F` separates segments just like
/// `/` (as in nginx), and `..%2F` is a `..` segment. Dot segments are removed per RFC 3986 §5.2.4, empty
/// segments (`//`) collapse. A `..` above the root is an error rather than being clamped: such a request
/// is an attack or a broken client, and answering 400 says so.
public enum TargetPath {
    public static func resolve(_ raw: UnsafeRawBufferPointer) throws(TargetPathError) -> ResolvedPath {
        if raw.isEmpty {
            // The absolute-form `http://host` has an empty path, which means `/`.
            return ResolvedPath(relative: "", trailingSlash: true, hasDotSegmentName: false)
        }
        guard raw[0] == UInt8(ascii: "/") else { throw .notAbsolute }

        // Decode into scratch space (on the stack for ordinary lengths), then compact segments in place:
        // the write index never passes the read index. Only the final String allocates, and not even
        // that for paths of up to 15 bytes (small-string storage).
        let result = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) {
            scratch -> Result<ResolvedPath, TargetPathError> in
            do throws(TargetPathError) {
                return .success(try resolve(raw, scratch: scratch))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func resolve(_ raw: UnsafeRawBufferPointer, scratch bytes: UnsafeMutableBufferPointer<UInt8>)
        throws(TargetPathError) -> ResolvedPath
    {
        var count = 0
        var index = 0
        while index < raw.count {
            var byte = raw[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < raw.count, let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2])
                else { throw .invalidPercentEncoding }
                byte = high << 4 | low
                index += 3
            } else {
                index += 1
            }
            if byte == 0 { throw .nul }
            if byte == UInt8(ascii: "\\") { throw .backslash }
            bytes[count] = byte
            count += 1
        }

        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        var write = 0
        var read = 0
        var trailingSlash = false
        while read < count {
            while read < count && bytes[read] == slash { read += 1 }
            if read == count {
                trailingSlash = true
                break
            }
            let start = read
            while read < count && bytes[read] != slash { read += 1 }
            let length = read - start
            let isLast = read == count
            if length == 1 && bytes[start] == dot {
                if isLast { trailingSlash = true }
                continue
            }
            if length == 2 && bytes[start] == dot && bytes[start + 1] == dot {
                guard write > 0 else { throw .aboveRoot }
                // Drop the last output segment and its separator.
                while write > 0 && bytes[write - 1] != slash { write -= 1 }
                if write > 0 { write -= 1 }
                if isLast { trailingSlash = true }
                continue
            }
            if write > 0 {
                bytes[write] = slash
                write += 1
            }
            var from = start
            while from < read {
                bytes[write] = bytes[from]
                write += 1
                from += 1
            }
        }
        if write == 0 { trailingSlash = true }

        var hasDotSegmentName = false
        var position = 0
        while position < write {
            if bytes[position] == dot && (position == 0 || bytes[position - 1] == slash) {
                hasDotSegmentName = true
                break
            }
            position += 1
        }
        guard let relative = String(validating: UnsafeBufferPointer(rebasing: bytes[0..<write]), as: UTF8.self)
        else { throw .invalidUTF8 }
        return ResolvedPath(relative: relative, trailingSlash: trailingSlash, hasDotSegmentName: hasDotSegmentName)
    }

    /// Convenience for tests and callers holding an array.
    public static func resolve(_ raw: [UInt8]) throws(TargetPathError) -> ResolvedPath {
        let result = raw.withUnsafeBytes { buffer in Result { () throws(TargetPathError) in try resolve(buffer) } }
        return try result.get()
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}
