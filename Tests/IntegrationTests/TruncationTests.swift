import Foundation
import Glibc
import Testing

extension Integration {
    /// A file that shrinks while it is being sent can no longer meet its Content-Length: the server
    /// must close the connection rather than hang it, and carry on serving.
    @Suite struct TruncationTests {
        @Test(arguments: ServingMode.all)
        func fileTruncatedMidTransferClosesTheConnection(mode: String) throws {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("spindle-trunc-\(UUID())").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: root) }
            let size = 64 * 1024 * 1024
            let path = root + "/shrinking.bin"
            try Data(repeating: 0x5a, count: size).write(to: URL(fileURLWithPath: path))
            try Data("ok\n".utf8).write(to: URL(fileURLWithPath: root + "/index.html"))

            let server = try ServerProcess(mode: mode, root: root)
            try withStarted(server) { server in
                let client = try RawClient(port: server.port, timeout: 10, receiveBuffer: 64 * 1024)
                try client.send(get("/shrinking.bin"))
                let head = try client.readHead()
                #expect(head.status == 200)
                #expect(head.header("Content-Length") == String(size))
                var received = 0
                try client.readBody(count: 1024 * 1024) { _, bytes in received += bytes.count }
                #expect(truncate(path, 2 * 1024 * 1024) == 0)
                // Whatever was already queued arrives, then the connection ends short of the promise.
                received += try client.readUntilClose().count
                #expect(received < size, "received \(received) of \(size) bytes")

                let response = try RawClient.exchange(port: server.port, get("/index.html"))
                #expect(response.status == 200)
            }
        }
    }
}
