import TOML

/// A configuration problem, pointing at the file, line and key that caused it.
///
/// `description` is the one line `spindle check-config` prints and start-up failure reports:
/// `FILE:LINE: key 'KEY': message`, with the parts that are unknown left out (a syntax error before
/// any key has no key; a file that cannot be read has no line).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path as given to `Configuration.load(path:)`, or the name given to `parse`.
    public var file: String
    /// 1-based line number, or `nil` when the problem concerns the whole file.
    public var line: Int?
    /// The full dotted key (`timeouts.head`, `mime.wasm`), when the problem belongs to one.
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// A syntax error, as the TOML parser found it.
    public init(_ error: TOMLError) {
        self.init(file: error.file, line: error.line, key: error.key, message: error.message)
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "key '\(key)': " }
        return text + message
    }
}
