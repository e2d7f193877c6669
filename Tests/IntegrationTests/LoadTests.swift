import Foundation
import Testing

extension Integration {
    /// Many clients at once: every answer complete and right, and the event loop stays one thread.
    @Suite struct LoadTests {
        static let paths = ["/", "/small.txt", "/medium.bin", "/subdir/"]

        @Test(arguments: ServingMode.all)
        func twoHundredConcurrentClientsGetTheRightContent(mode: String) throws {
            let site = DocumentRoot.shared
            try withServer(mode) { server in
                let port = server.port
                let barrier = Barrier(count: 200)
                let failures = concurrently(200) { index in
                    let client: RawClient
                    do {
                        client = try RawClient(port: port, timeout: 20)
                    } catch {
                        barrier.arriveAndWait()
                        throw error
                    }
                    // Every client is connected before any asks: 200 connections open at once.
                    barrier.arriveAndWait()
                    for round in 0..<2 {
                        let path = Self.paths[(index + round) % Self.paths.count]
                        try client.send(get(path))
                        let response = try client.readResponse()
                        guard response.status == 200, let expected = site.contents(of: path),
                            sameBytes(response.body, expected)
                        else {
                            throw HarnessError("\(path) round \(round): \(response)")
                        }
                    }
                }
                #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
            }
        }

        @Test(arguments: ServingMode.all)
        func threadCountWhileFiftyClientsAreFetching(mode: String) throws {
            let site = DocumentRoot.shared
            try withServer(mode) { server in
                // Open and use every connection first, so all 50 are accepted before sampling starts.
                var clients: [RawClient] = []
                for _ in 0..<50 {
                    let client = try RawClient(port: server.port, timeout: 20)
                    try client.send(get("/small.txt"))
                    #expect(try client.readResponse().status == 200)
                    clients.append(client)
                }
                let finished = DispatchSemaphore(value: 0)
                let pool = clients
                nonisolated(unsafe) var failures: [String] = []
                DispatchQueue.global().async {
                    failures = concurrently(50) { index in
                        for _ in 0..<8 {
                            try pool[index].send(get("/medium.bin"))
                            let response = try pool[index].readResponse()
                            guard response.status == 200, sameBytes(response.body, site.medium) else {
                                throw HarnessError("\(response)")
                            }
                        }
                    }
                    finished.signal()
                }
                var samples: [Int] = [server.threadCount()]
                while finished.wait(timeout: .now() + .milliseconds(5)) == .timedOut {
                    samples.append(server.threadCount())
                }
                #expect(failures.isEmpty, "\(failures.prefix(5))")
                if mode == "event-loop" {
                    #expect(samples.allSatisfy { $0 == 1 }, "thread counts sampled: \(Set(samples).sorted())")
                } else {
                    // Thread per connection: at least one per open connection.
                    #expect((samples.max() ?? 0) >= 50, "thread counts sampled: \(Set(samples).sorted())")
                }
                #expect(samples.count > 1)
            }
        }
    }
}
