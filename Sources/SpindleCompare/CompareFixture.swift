import Glibc
import Posix

/// The default site for `spindle compare`: a temporary directory with a 1 KiB HTML page and a
/// 1 MiB binary file, so that runs on different machines request the same bytes.
struct CompareFixture {
    static let smallPath = "/small.html"
    static let largePath = "/large.bin"
    static let smallSize = 1024
    static let largeSize = 1 << 20

    let directory: String

    init() throws(CompareError) {
        var template = Array("/tmp/spindle-compare-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CompareError("cannot create a temporary site: \(Errno.current("mkdtemp"))")
        }
        directory = String(cString: made)
        let head = Array("<!doctype html>\n<title>spindle compare</title>\n<p>".utf8)
        let tail = Array("</p>\n".utf8)
        var small = head
        while small.count < Self.smallSize - tail.count { small.append(UInt8(ascii: "a") + UInt8(small.count % 26)) }
        small += tail
        // Deterministic bytes that do not compress, as a photo or an archive would not.
        var large = [UInt8](repeating: 0, count: Self.largeSize)
        var state: UInt32 = 0x9E37_79B9
        for i in large.indices {
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            large[i] = UInt8(truncatingIfNeeded: state)
        }
        do throws(CompareError) {
            try Self.write(small, to: directory + Self.smallPath)
            try Self.write(large, to: directory + Self.largePath)
        } catch {
            remove()
            throw error
        }
    }

    func remove() {
        unlink(directory + Self.smallPath)
        unlink(directory + Self.largePath)
        rmdir(directory)
    }

    /// Creates or replaces `path` with `bytes`.
    static func write(_ bytes: [UInt8], to path: String) throws(CompareError) {
        var failure: Errno?
        do throws(Errno) {
            let file = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
            bytes.withUnsafeBytes { buffer in
                do throws(Errno) { try file.writeAll(buffer) } catch { failure = error }
            }
        } catch {
            failure = error
        }
        if let failure { throw CompareError("cannot write \(path): \(failure)") }
    }
}
