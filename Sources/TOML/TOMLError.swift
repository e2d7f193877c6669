/// A document that is not TOML (or uses a part of TOML this parser leaves out), with the file,
/// the line and, once one has been read, the key it concerns.
///
/// `description` reads `FILE:LINE: key 'KEY': message`, the shape a configuration error takes.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name given to `TOMLDocument`.
    public var file: String
    /// 1-based.
    public var line: Int
    /// The full dotted key (`timeouts.head`), when the problem belongs to one.
    public var key: String?
    public var message: String

    public init(file: String, line: Int, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        "\(file):\(line): " + (key.map { "key '\($0)': " } ?? "") + message
    }
}
