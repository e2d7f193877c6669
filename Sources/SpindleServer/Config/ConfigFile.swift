import Glibc
import Posix

/// Reads a configuration file whole: it runs once at start-up and on reload.
enum ConfigFile {
    /// Far beyond any real configuration; stops a mistaken path (a log, a device) from being slurped.
    static let maximumSize = 1 << 20

    static func read(path: String) throws(ConfigError) -> [UInt8] {
        let file: FileDescriptor
        do { file = try FileDescriptor.open(path, flags: O_RDONLY) } catch { throw failure(path, "cannot open", error) }
        let bytes: [UInt8]
        // EISDIR lands in the read: open(2) succeeds on a directory, read(2) refuses.
        do { bytes = try file.readAll(limit: maximumSize + 1) } catch { throw failure(path, "cannot read", error) }
        guard bytes.count <= maximumSize else {
            throw ConfigError(file: path, line: nil, message: "larger than \(maximumSize) bytes")
        }
        return bytes
    }

    private static func failure(_ path: String, _ what: String, _ error: Errno) -> ConfigError {
        ConfigError(file: path, line: nil, message: "\(what): \(error.reason)")
    }
}
