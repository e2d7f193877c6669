import Foundation
import Glibc

/// The receiving end of sd_notify, as systemd holds it: a Unix datagram socket bound to a path or to
/// an abstract name, whose address goes into the server's NOTIFY_SOCKET. Every datagram is kept, in
/// order, as one message ("READY=1\nSTATUS=serving").
final class NotifyListener: @unchecked Sendable {
    /// The NOTIFY_SOCKET value: a path, or "@name" for the abstract namespace.
    let address: String

    private let fd: Int32
    private let path: String?
    private let condition = NSCondition()
    private var received: [String] = []
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(abstract: Bool) throws {
        let name = "spindle-notify-\(getpid())-\(UUID().uuidString.prefix(8))"
        // /tmp rather than the scratch directory: sun_path holds only 108 bytes.
        path = abstract ? nil : "/tmp/\(name).sock"
        address = abstract ? "@\(name)" : "/tmp/\(name).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket(AF_UNIX): errno \(errno)") }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: bytes) }
        // An abstract name is exactly its bytes; a path ends at its NUL.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let result = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw HarnessError("bind \(address): errno \(code)")
        }
        let thread = Thread { [self] in receiveLoop() }
        thread.start()
    }

    deinit {
        condition.lock()
        stopped = true
        condition.unlock()
        done.wait()
        Glibc.close(fd)
        if let path { unlink(path) }
    }

    /// Every message so far.
    var messages: [String] {
        condition.lock()
        defer { condition.unlock() }
        return received
    }

    /// Waits until `predicate` holds for the messages so far; returns them, or nil on timeout.
    @discardableResult
    func wait(timeout: Double, until predicate: ([String]) -> Bool) -> [String]? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if predicate(received) { return received }
            if !condition.wait(until: deadline) { return predicate(received) ? received : nil }
        }
    }

    /// Waits for a message satisfying `predicate` at or after index `start`; returns its index.
    func waitForMessage(from start: Int = 0, timeout: Double, where predicate: (String) -> Bool) -> Int? {
        var found: Int?
        wait(timeout: timeout) { messages in
            found = messages.indices.first { $0 >= start && predicate(messages[$0]) }
            return found != nil
        }
        return found
    }

    /// Polls with a short timeout so that deinit can stop the thread without closing a descriptor
    /// another thread is blocked on.
    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            condition.lock()
            let stop = stopped
            condition.unlock()
            if stop { break }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { continue }
            let message = String(decoding: buffer[..<count], as: UTF8.self)
            condition.lock()
            received.append(message)
            condition.broadcast()
            condition.unlock()
        }
        done.signal()
    }
}

extension String {
    /// The lines of an sd_notify message as KEY → VALUE.
    var notifyFields: [String: String] {
        var fields: [String: String] = [:]
        for line in split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return fields
    }
}
