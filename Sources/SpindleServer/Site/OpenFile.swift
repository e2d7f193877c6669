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

    public var size: Int64 { status.size }

    public init(descriptor: consuming FileDescriptor, status: FileStatus, contentType: String) {
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

    /// Same file, same content as far as metadata can tell.
    func isSameVersion(as other: FileStatus) -> Bool {
        status.inode == other.inode && status.device == other.device && status.size == other.size
            && status.modificationSeconds == other.modificationSeconds
            && status.modificationNanoseconds == other.modificationNanoseconds
    }
}
