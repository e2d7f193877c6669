import Posix

/// One response on its way out: the head bytes that did not leave at once, then the file range, then
/// the remaining multipart parts. Both serving modes send with it: the reactor on a non-blocking
/// socket, a connection thread on a blocking one whose send timeout turns a stalled client into
/// `.blocked`.
struct ResponseTransfer {
    enum Progress { case finished, blocked, failed }

    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var file: OpenFile?
    private var offset: Int64 = 0
    private var end: Int64 = 0
    private var parts: [BodyPart] = []
    private var partIndex = 0

    init(_ body: Body) {
        switch body {
        case .none:
            break
        case .file(let file, let range):
            self.file = file
            offset = range.lowerBound
            end = range.upperBound
        case .multipart(let file, let parts):
            self.file = file
            self.parts = parts
        }
    }

    /// Whether more than the head is still to be sent (so the head goes with MSG_MORE).
    private var hasBodyWork: Bool { offset < end || partIndex < parts.count }

    /// Sends `head` straight from the caller's buffer (copying only what does not leave at once), then
    /// as much of the body as the socket takes, up to `budget` file bytes.
    mutating func start(
        head: [UInt8], on socket: borrowing FileDescriptor, chunk: Int, budget: Int
    ) -> Progress {
        let sent: Int
        do {
            sent = try socket.send(head, more: hasBodyWork) ?? 0
        } catch {
            return .failed
        }
        if sent < head.count { pending = Array(head[sent...]) }
        return resume(on: socket, chunk: chunk, budget: budget)
    }

    /// Moves pending bytes, then the file range (at most `chunk` bytes a call), then the remaining
    /// parts. After `budget` file bytes it stops with `.blocked`, so that one fast reader cannot hold
    /// an event loop.
    mutating func resume(on socket: borrowing FileDescriptor, chunk: Int, budget: Int) -> Progress {
        var budget = budget
        do {
            while true {
                if budget <= 0 { return .blocked }
                if pendingOffset < pending.count {
                    guard let sent = try socket.send(pending, from: pendingOffset, more: hasBodyWork) else {
                        return .blocked
                    }
                    pendingOffset += sent
                    continue
                }
                if offset < end, let file {
                    let count = Int(min(end - offset, Int64(chunk)))
                    guard let sent = try socket.sendFile(from: file.descriptor, offset: &offset, count: count)
                    else { return .blocked }
                    budget -= sent
                    // The file shrank under us: the promised Content-Length can no longer be met.
                    if sent == 0 { return .failed }
                    continue
                }
                guard partIndex < parts.count else { return .finished }
                let part = parts[partIndex]
                partIndex += 1
                switch part {
                case .bytes(let bytes):
                    pending = bytes
                    pendingOffset = 0
                case .file(let range):
                    offset = range.lowerBound
                    end = range.upperBound
                }
            }
        } catch {
            return .failed
        }
    }
}
