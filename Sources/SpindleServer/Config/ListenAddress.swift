import Posix

/// One address to listen on, parsed from `HOST:PORT`, `[V6]:PORT` or `:PORT`.
///
/// Only IP literals are accepted: resolving names at start-up would make the bound address depend
/// on DNS and `/etc/hosts`, and `localhost` may resolve to `::1` on one machine and `127.0.0.1` on
/// the next. `:PORT` means every IPv4 interface (`0.0.0.0`), which binds on any Linux host; write
/// `[::]:PORT` for every interface, IPv4 and IPv6 (the socket is opened dual-stack), which fails where
/// IPv6 is disabled.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6
    }

    /// Why a text is not a listen address; `message` reads well after "invalid listen address: ".
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The IP literal in canonical text form (`inet_ntop`), without brackets: `127.0.0.1`, `::1`.
    public let host: String
    public let port: UInt16
    public let family: Family

    public init(parsing text: String) throws(ParseError) {
        let usage = "expected HOST:PORT, [IPV6]:PORT or :PORT, found '\(text)'"
        // inet_pton would stop at a NUL and bind to whatever came before it.
        guard !text.utf8.contains(0) else { throw ParseError(message: usage) }
        var hostText: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ParseError(message: "missing ']' in '\(text)'") }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ParseError(message: usage) }
            portText = rest.dropFirst()
            guard let canonical = Self.canonical(hostText, family: .ipv6) else {
                throw ParseError(message: "'\(hostText)' is not an IPv6 address")
            }
            host = canonical
            family = .ipv6
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ParseError(message: usage) }
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
            if hostText.isEmpty { hostText = "0.0.0.0" }
            if hostText.contains(":") {
                throw ParseError(message: "an IPv6 address needs brackets, as in [\(hostText)]:\(portText)")
            }
            guard let canonical = Self.canonical(hostText, family: .ipv4) else {
                throw ParseError(
                    message: "'\(hostText)' is not an IPv4 address (host names are not resolved; "
                        + "write IPv6 as [ADDRESS]:PORT)")
            }
            host = canonical
            family = .ipv4
        }
        guard !portText.isEmpty, portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let number = Int(portText), (0...65535).contains(number)
        else {
            // Port 0 lets the kernel choose (tests, `spindle compare`); the start-up line reports the port.
            throw ParseError(message: "port '\(portText)' is not a number from 0 to 65535")
        }
        port = UInt16(number)
    }

    /// For constants known to be canonical; everything else goes through `init(parsing:)`.
    init(uncheckedHost host: String, port: UInt16, family: Family) {
        self.host = host
        self.port = port
        self.family = family
    }

    /// `127.0.0.1:8080` or `[::1]:8080`: parses back to the same address.
    public var description: String {
        family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// For the start-up line: `http://127.0.0.1:8080`.
    public var url: String { "http://\(description)" }

    /// `0.0.0.0` or `::`.
    public var isWildcard: Bool { host == "0.0.0.0" || host == "::" }

    /// Validates with `inet_pton` (which rejects `1.2.3`, leading zeros and zone ids) and
    /// re-renders with `inet_ntop`, so that `::0:1` and `::1` compare equal.
    private static func canonical(_ text: Substring, family: Family) -> String? {
        guard let address = SocketAddress(numericHost: String(text), port: 0) else { return nil }
        switch (address, family) {
        case (.ipv4, .ipv4), (.ipv6, .ipv6): return address.host
        default: return nil
        }
    }
}
