import Glibc
import SpindleCompare
import Testing

struct ChildProcessTests {
    @Test func readinessLineThenSIGTERM() throws {
        let child = try ChildProcess([
            "/bin/sh", "-c",
            "echo starting >&2; echo 'spindle: listening on http://127.0.0.1:1 (test)' >&2; exec sleep 30",
        ])
        let line = try child.waitUntilReady(marker: "spindle: listening on", timeout: 10)
        #expect(line == "spindle: listening on http://127.0.0.1:1 (test)")
        #expect(child.recentLines.first == "starting")
        #expect(child.poll() == nil)
        #expect(child.stop() == .signaled(SIGTERM))
    }

    @Test func exitBeforeReadyIsAnErrorWithTheOutput() throws {
        let child = try ChildProcess(["/bin/sh", "-c", "echo 'spindle: address in use' >&2; exit 3"])
        #expect {
            try child.waitUntilReady(marker: "spindle: listening on", timeout: 10)
        } throws: { error in
            "\(error)".contains("exit status 3") && "\(error)".contains("address in use")
        }
        #expect(child.poll() == .exited(3))
    }

    @Test func silenceTimesOut() throws {
        let child = try ChildProcess(["/bin/sh", "-c", "exec sleep 30"])
        #expect(throws: CompareError.self) { try child.waitUntilReady(marker: "listening", timeout: 0.2) }
        #expect(child.stop() == .signaled(SIGTERM))
    }

    @Test func ignoredSIGTERMEndsInSIGKILL() throws {
        let child = try ChildProcess([
            "/bin/sh", "-c", "trap '' TERM; echo 'spindle: listening on' >&2; while :; do sleep 1; done",
        ])
        try child.waitUntilReady(marker: "spindle: listening on", timeout: 10)
        #expect(child.stop(grace: 0.2) == .signaled(SIGKILL))
    }

    @Test func missingExecutableIsAnError() {
        #expect(throws: CompareError.self) { try ChildProcess(["/nonexistent/spindle", "--mode", "threads"]) }
    }
}
