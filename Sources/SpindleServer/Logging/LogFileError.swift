import Posix

/// A log file that could not be opened.
public struct LogFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// The errno value from open(2).
    public var code: Int32

    public init(path: String, code: Int32) {
        self.path = path
        self.code = code
    }

    public var description: String {
        "cannot open access log \(path): \(Errno(code).reason)"
    }
}
