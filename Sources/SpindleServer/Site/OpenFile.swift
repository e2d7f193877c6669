import HTTP1
import Posix

/// An opened regular file with everything a response needs precomputed as header bytes, so that
/// serving it again costs no formatting. Immutable: when the file changes on disk, the cache makes a
/// new `OpenFile`; responses in flight keep the old one (and its descriptor) alive until they finish.
public final class OpenFile: Sendable {
    public let descriptor: FileDescriptor
    public let status: FileStatus
    /// The strong entity tag with its quotes.
    public let etag: [UInt8]
    /// The modification time in epoch seconds (what Last-Modified says).
    public let lastModified: Int64
    /// `Content-Type: …\r\n`.
    public let contentTypeLine: [UInt8]
    /// `Last-Modified: …\r\nETag: …\r\n`, for 200, 206 and 304.
    public let validatorLines: [UInt8]
    /// The bare Content-Type value, for multipart part headers.
    public let contentType: [UInt8]
    /// The whole content of a small file, read when it was opened, so that its response leaves in a
    /// single send with the head. It is as fresh as `status` (the cache re-checks both together), and
    /// its length is the one announced, whatever happens to the file meanwhile.
    public let contents: [UInt8]?

    /// Files up to this size are kept in memory (at most the file cache's capacity of them).
    public static let inMemoryLimit: Int64 = 16 * 1024

    public var size: Int64 { status.size }

    public init(descriptor: consuming FileDescriptor, status: FileStatus, contentType: String) {
        var status = status
        contents = Self.readSmall(descriptor, &status)
        self.descriptor = descriptor
        self.status = status
        etag = EntityTag.make(
            size: status.size, modificationSeconds: status.modificationSeconds,
            modificationNanoseconds: status.modificationNanoseconds)
        lastModified = status.modificationSeconds
        self.contentType = Array(contentType.utf8)
        var typeLine = [UInt8]()
        typeLine.append("Content-Type: ")
        typeLine += contentType.utf8
        typeLine.append("\r\n")
        contentTypeLine = typeLine
        var validators = [UInt8]()
        validators.append("Last-Modified: ")
        HTTPDate.append(status.modificationSeconds, to: &validators)
        validators.append("\r\nETag: ")
        validators += etag
        validators.append("\r\n")
        validatorLines = validators
    }

    /// Reads a small file whole. If the read disagrees with fstat (the file changed in between), the
    /// bytes read win and the size follows them, so the length sent always matches the bytes sent.
    private static func readSmall(_ descriptor: borrowing FileDescriptor, _ status: inout FileStatus) -> [UInt8]? {
        guard status.size <= inMemoryLimit else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(status.size) + 1)
        var count = 0
        while count < bytes.count {
            let read = bytes.withUnsafeMutableBytes { buffer in
                try? descriptor.read(at: Int64(count), into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
            }
            guard let read, read > 0 else { break }
            count += read
        }
        // One byte more than fstat said means the file grew meanwhile: stream it instead.
        guard count <= Int(status.size) else { return nil }
        bytes.removeLast(bytes.count - count)
        status.size = Int64(count)
        return bytes
    }

    /// Same file, same content as far as metadata can tell.
    func isSameVersion(as other: FileStatus) -> Bool {
        status.inode == other.inode && status.device == other.device && status.size == other.size
            && status.modificationSeconds == other.modificationSeconds
            && status.modificationNanoseconds == other.modificationNanoseconds
    }
}
