import Foundation
import HTTP1
import Synchronization
import Testing

@testable import SpindleServer

@Suite struct AccessLogTests {
    static let time = 1_795_768_904
    static let line = #"192.0.2.7 - - [27/Nov/2026:08:41:44 +0000] "GET / HTTP/1.1" 200 5"# + "\n"

    /// A fresh directory per test, removed afterwards.
    private final class TemporaryDirectory {
        let path: String
        init() throws {
            path = NSTemporaryDirectory() + "spindle-log-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func contents(_ name: String) -> String {
            (try? String(contentsOfFile: path + "/" + name, encoding: .utf8)) ?? "<missing>"
        }
    }

    private func record(_ log: AccessLog, time: Int = Self.time, target: String = "/") {
        Array("192.0.2.7".utf8).withUnsafeBytes { remote in
            Array("GET".utf8).withUnsafeBytes { method in
                Array(target.utf8).withUnsafeBytes { target in
                    Array("HTTP/1.1".utf8).withUnsafeBytes { version in
                        log.record(
                            remote: remote, time: time, method: method, target: target, version: version, status: 200,
                            bytes: 5, referer: nil, userAgent: nil)
                    }
                }
            }
        }
    }

    /// To a pipe, a flush goes in runs of whole lines of at most PIPE_BUF bytes: the most the kernel
    /// keeps whole among several writers (the workers).
    @Test(arguments: [
        // (lines, start, limit, expected end)
        (["ab\n", "cd\n"], 0, 100, 6),  // everything fits
        (["ab\n", "cd\n"], 0, 5, 3),  // the second line would pass the limit
        (["ab\n", "cd\n"], 0, 6, 6),  // exactly at the limit
        (["ab\n", "cd\n"], 3, 3, 6),  // from the second line
        (["abcdef\n", "g\n"], 0, 4, 7),  // a line longer than the limit goes alone, whole
        (["abcdef\n"], 0, 4, 7),
    ])
    func flushesWholeLinesUpToTheLimit(lines: [String], start: Int, limit: Int, end: Int) {
        let bytes = Array(lines.joined().utf8)
        #expect(bytes.withUnsafeBytes { AccessLog.linesEnd($0, from: start, limit: limit) } == end)
    }

    @Test func buffersUntilFlushed() throws {
        let directory = try TemporaryDirectory()
        let log = try AccessLog(destination: .file(directory.path + "/access.log"), format: .common)
        record(log)
        #expect(directory.contents("access.log") == "")
        log.flush()
        #expect(directory.contents("access.log") == Self.line)
        log.flush()
        #expect(directory.contents("access.log") == Self.line)
    }

    @Test func appendsToAnExistingFile() throws {
        let directory = try TemporaryDirectory()
        try "old\n".write(toFile: directory.path + "/access.log", atomically: false, encoding: .utf8)
        let log = try AccessLog(destination: .file(directory.path + "/access.log"), format: .common)
        record(log)
        log.flush()
        #expect(directory.contents("access.log") == "old\n" + Self.line)
    }

    @Test func flushIfDueWritesAtMostOncePerSecond() throws {
        let directory = try TemporaryDirectory()
        let log = try AccessLog(destination: .file(directory.path + "/access.log"), format: .common)
        record(log)
        log.flushIfDue(now: Self.time)
        #expect(directory.contents("access.log") == Self.line)
        record(log)
        log.flushIfDue(now: Self.time)
        #expect(directory.contents("access.log") == Self.line)
        log.flushIfDue(now: Self.time + 1)
        #expect(directory.contents("access.log") == Self.line + Self.line)
    }

    @Test func flushesWhenTheBufferPassesTheThreshold() throws {
        let directory = try TemporaryDirectory()
        let log = try AccessLog(destination: .file(directory.path + "/access.log"), format: .common)
        let lineCount = AccessLog.flushThreshold / Self.line.utf8.count + 1
        for _ in 0..<lineCount { record(log) }
        #expect(directory.contents("access.log") == String(repeating: Self.line, count: lineCount))
        record(log)
        #expect(directory.contents("access.log").utf8.count == lineCount * Self.line.utf8.count)
    }

    @Test func reopenFollowsARenamedFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/access.log"
        let log = try AccessLog(destination: .file(path), format: .common)
        record(log, target: "/first")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try log.reopen()
        record(log, target: "/second")
        log.flush()
        #expect(directory.contents("access.log.1").contains("/first"))
        #expect(!directory.contents("access.log.1").contains("/second"))
        #expect(directory.contents("access.log").contains("/second"))
        #expect(!directory.contents("access.log").contains("/first"))
    }

    @Test func reopenFailureKeepsTheOldFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/sub/access.log"
        try FileManager.default.createDirectory(atPath: directory.path + "/sub", withIntermediateDirectories: true)
        let log = try AccessLog(destination: .file(path), format: .common)
        try FileManager.default.moveItem(atPath: directory.path + "/sub", toPath: directory.path + "/moved")
        #expect(throws: LogFileError(path: path, code: ENOENT)) { try log.reopen() }
        record(log)
        log.flush()
        #expect(directory.contents("moved/access.log") == Self.line)
    }

    @Test func openFailureIsReported() {
        let path = "/nonexistent-\(getpid())/access.log"
        #expect(throws: LogFileError(path: path, code: ENOENT)) {
            try AccessLog(destination: .file(path), format: .combined)
        }
        #expect(
            LogFileError(path: "/x", code: ENOENT).description == "cannot open access log /x: No such file or directory"
        )
    }

    @Test func offIgnoresRecords() throws {
        let log = try AccessLog(destination: .off, format: .combined)
        #expect(!log.isEnabled)
        record(log)
        log.flush()
        try log.reopen()
    }

    @Test func writeFailuresAreReportedRateLimited() throws {
        let lines = Lines()
        let diagnostics = Diagnostics(level: .info) { line in lines.storage.withLock { $0.append(line) } }
        // /dev/full fails every write with ENOSPC.
        let log = try AccessLog(destination: .file("/dev/full"), format: .common, diagnostics: diagnostics)
        record(log)
        log.flushIfDue(now: Self.time)
        record(log)
        log.flushIfDue(now: Self.time + 1)
        let logged = lines.storage.withLock { $0 }
        #expect(
            logged == [
                "spindle: error: cannot write the access log (/dev/full): No space left on device; "
                    + "1 lines lost so far\n"
            ])
    }

    @Test func recordsARequestHead() throws {
        let directory = try TemporaryDirectory()
        let log = try AccessLog(destination: .file(directory.path + "/access.log"), format: .combined)
        let request = Array("HEAD /x?y HTTP/1.0\r\nReferer: http://r/\r\nUser-Agent: ua\r\n\r\n".utf8)
        var head = RequestHead()
        head.methodBytes = 0..<4
        head.target = 5..<9
        head.version = .http10
        head.referer = 29..<38
        head.userAgent = 52..<54
        request.withUnsafeBytes { buffer in
            Array("::1".utf8).withUnsafeBytes { remote in
                log.record(head: head, in: buffer, remote: remote, time: Self.time, status: 304, bytes: 0)
            }
        }
        log.flush()
        #expect(
            directory.contents("access.log")
                == #"::1 - - [27/Nov/2026:08:41:44 +0000] "HEAD /x?y HTTP/1.0" 304 0 "http://r/" "ua""# + "\n")
    }
}

private final class Lines: Sendable {
    let storage = Mutex<[String]>([])
}
