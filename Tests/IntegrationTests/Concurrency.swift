import Foundation
import Glibc

/// Runs `body(i)` for i in 0..<count, each on its own thread, all at once; returns the failures.
func concurrently(_ count: Int, timeout: Double = 45, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
    let failures = Failures()
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            do { try body(index) } catch { failures.append("client \(index): \(error)") }
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    if group.wait(timeout: .now() + timeout) == .timedOut {
        failures.append("timed out after \(timeout) s")
    }
    return failures.all
}

/// Failure messages collected from several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func append(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}

/// Holds threads until `count` of them have arrived (or a timeout passes), so that they start together.
final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: Int

    init(count: Int) { waiting = count }

    func arriveAndWait(timeout: Double = 20) {
        condition.lock()
        defer { condition.unlock() }
        waiting -= 1
        if waiting <= 0 {
            condition.broadcast()
            return
        }
        let deadline = Date().addingTimeInterval(timeout)
        while waiting > 0 && condition.wait(until: deadline) {}
    }
}

/// Byte-wise equality through memcmp: `==` on large arrays is slow in debug builds.
func sameBytes<A: ContiguousBytes, B: ContiguousBytes>(_ a: A, _ b: B) -> Bool {
    a.withUnsafeBytes { x in
        b.withUnsafeBytes { y in
            guard x.count == y.count else { return false }
            guard let left = x.baseAddress, let right = y.baseAddress else { return true }  // both empty
            return memcmp(left, right, x.count) == 0
        }
    }
}
