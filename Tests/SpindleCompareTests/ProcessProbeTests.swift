import Glibc
import SpindleCompare
import Testing

struct ProcessProbeTests {
    @Test func parsesStatus() throws {
        let text = """
            Name:\tspindle
            State:\tS (sleeping)
            VmHWM:\t   20480 kB
            VmRSS:\t   10240 kB
            Threads:\t7
            SigQ:\t0/1000
            """
        let sample = try #require(ProcessProbe.parseStatus(text))
        #expect(sample.residentBytes == 10240 * 1024)
        #expect(sample.peakResidentBytes == 20480 * 1024)
        #expect(sample.threads == 7)
    }

    @Test func statusWithoutThreadsIsRejected() {
        #expect(ProcessProbe.parseStatus("Name:\tx\nVmRSS:\t1 kB\n") == nil)
    }

    @Test func parsesStatPastAnAwkwardCommandName() throws {
        // Field 2 holds spaces and a ")"; the parent is 77, utime 1200, stime 34, cutime 5, cstime 1.
        let text = "4242 (my (odd) name) S 77 4242 4242 0 -1 4194560 100 0 0 0 1200 34 5 1 20 0 3 0 100 1000 200\n"
        let stat = try #require(ProcessProbe.parseStat(text))
        #expect(stat.parent == 77)
        #expect(stat.cpuTicks == 1240)
        #expect(ProcessProbe.parseStat("4242 (short) S 1 2") == nil)
    }

    /// A supervisor and its workers are one server: the probe sums the children it finds in /proc.
    @Test func sumsTheChildProcesses() throws {
        let parent = try ChildProcess(["/bin/sh", "-c", "sleep 30 & sleep 30 & echo started >&2; wait"])
        try parent.waitUntilReady(marker: "started", timeout: 10)
        var probe = ProcessProbe(pid: parent.pid)
        probe.begin()
        defer {
            for child in probe.children { kill(child, SIGKILL) }
            parent.stop(grace: 2)
        }
        #expect(probe.children.count == 2)
        #expect(ProcessProbe.children(of: getpid()).contains(parent.pid))
        let alone = try #require(ProcessProbe.sample(pid: parent.pid))
        #expect(probe.maxThreads == 3)
        #expect(probe.peakResidentBytes > alone.residentBytes)
    }

    @Test func samplesThisProcess() throws {
        let sample = try #require(ProcessProbe.sample(pid: getpid()))
        #expect(sample.residentBytes > 1 << 20)
        #expect(sample.threads >= 1)
        var probe = ProcessProbe(pid: getpid())
        probe.begin()
        let sampled = probe.sample()
        #expect(sampled)
        #expect(probe.peakResidentBytes >= sample.residentBytes / 2)
        #expect(probe.maxThreads >= 1)
        #expect(probe.cpuSeconds >= 0)
    }

    @Test func goneProcessHasNoSample() {
        // PID_MAX_LIMIT is 2^22: no process can have a larger id.
        #expect(ProcessProbe.sample(pid: 4_194_305) == nil)
        var probe = ProcessProbe(pid: 4_194_305)
        let sampled = probe.sample()
        #expect(!sampled)
    }
}
