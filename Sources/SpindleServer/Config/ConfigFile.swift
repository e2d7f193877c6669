import Glibc

/// Reads a configuration file whole, with plain open/read: it runs once at start-up and on reload.
enum ConfigFile {
    /// Far beyond any real configuration; stops a mistaken path (a log, a device) from being slurped.
    static let maximumSize = 1 << 20

    static func read(path: String) throws(ConfigError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "cannot open", errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                // EISDIR lands here: open(2) succeeds on a directory, read(2) refuses.
                throw failure(path, "cannot read", errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize {
                throw ConfigError(file: path, line: nil, message: "larger than \(maximumSize) bytes")
            }
        }
    }

    private static func failure(_ path: String, _ what: String, _ code: Int32) -> ConfigError {
        let reason = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return ConfigError(file: path, line: nil, message: "\(what): \(reason)")
    }
}
