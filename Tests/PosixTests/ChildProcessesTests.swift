import Glibc
import Testing

@testable import Posix

@Suite struct ChildProcessesTests {
    @Test func exitStatusAndSignalAreReported() throws {
        let exits = try ChildProcesses.spawn(
            "/bin/sh", arguments: ["sh", "-c", "exit 3"], environment: [], descriptors: [])
        #expect(ChildProcesses.reap(exits, blocking: true) == .exited(3))
        let sleeper = try ChildProcesses.spawn(
            "/bin/sh", arguments: ["sh", "-c", "exec sleep 30"], environment: [], descriptors: [])
        #expect(ChildProcesses.reap(sleeper, blocking: false) == nil)
        #expect(ChildProcesses.signal(sleeper, SIGTERM))
        #expect(ChildProcesses.reap(sleeper, blocking: true) == .signaled(SIGTERM))
        #expect(ChildProcesses.reap(sleeper, blocking: true) == nil)  // reaped already
    }

    /// A close-on-exec descriptor duplicated onto itself reaches the child (its flag cleared there
    /// only); the parent's copy stays close-on-exec. The environment is the one given.
    @Test func aDescriptorDuplicatedOntoItselfIsInherited() throws {
        let ends = try Self.pipe()
        let reader = FileDescriptor(owning: ends[0])
        let writer = FileDescriptor(owning: ends[1])
        let child = try ChildProcesses.spawn(
            "/bin/sh", arguments: ["sh", "-c", "printf \"$GREETING\" > /dev/fd/\(writer.rawValue)"],
            environment: ["GREETING=hello"], descriptors: [.duplicate(writer.rawValue, onto: writer.rawValue)])
        #expect(ChildProcesses.reap(child, blocking: true) == .exited(0))
        #expect(fcntl(writer.rawValue, F_GETFD) & FD_CLOEXEC != 0)
        writer.close()
        #expect(try reader.readAll() == Array("hello".utf8))
    }

    /// Without the action, the child does not get the descriptor.
    @Test func otherDescriptorsStayClosed() throws {
        let ends = try Self.pipe()
        let reader = FileDescriptor(owning: ends[0])
        let writer = FileDescriptor(owning: ends[1])
        let child = try ChildProcesses.spawn(
            "/bin/sh", arguments: ["sh", "-c", "printf x > /dev/fd/\(writer.rawValue)"], environment: [],
            descriptors: [])
        #expect(ChildProcesses.reap(child, blocking: true) == .exited(2))  // sh: cannot create /dev/fd/N
        writer.close()
        #expect(try reader.readAll().isEmpty)
    }

    /// A pipe whose two ends are close-on-exec, as every descriptor Spindle opens, and numbered 30
    /// or more, as in a busy process (and past the shell's single-digit redirections).
    static func pipe() throws -> [Int32] {
        var ends: [Int32] = [-1, -1]
        try #require(Glibc.pipe(&ends) == 0)
        defer { for end in ends { close(end) } }
        let moved = ends.map { fcntl($0, F_DUPFD_CLOEXEC, 30) }
        try #require(moved.allSatisfy { $0 >= 30 })
        return moved
    }

    @Test func onlineProcessorsIsAtLeastOne() {
        #expect(ChildProcesses.onlineProcessors >= 1)
        #expect(ChildProcesses.onlineProcessors == sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
