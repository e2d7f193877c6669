import HTTP1
import Posix
public enum BodyPart: Sendable { case bytes([UInt8]); case file(Range<Int64>) }
public final class OpenFile: Sendable { public let descriptor: FileDescriptor; init(d: consuming FileDescriptor) { descriptor = d } }
public enum Body: Sendable { case none; case file(OpenFile, Range<Int64>); case multipart(OpenFile, [BodyPart]) }
public struct Response: Sendable { public var status: Status; public var body: Body; public var keepAlive: Bool; public var bodyLength: Int64 }
public struct Site: Sendable { public init(root: String, indexFiles: [String], dotfiles: DotfilesPolicy, mimeOverrides: [String: String], extraHeaders: [(name: String, value: String)]) {}; public enum DotfilesPolicy: Sendable { case allow, deny } }
public final class Responder {
    public init(site: Site) throws(Errno) {}
    public func respond(to head: RequestHead, in request: UnsafeRawBufferPointer, now: Int64, forceClose: Bool, into out: inout [UInt8]) -> Response { fatalError() }
    public func respond(to error: ParseError, now: Int64, into out: inout [UInt8]) -> Response { fatalError() }
    public func respond(status: Status, now: Int64, into out: inout [UInt8]) -> Response { fatalError() }
}
