import CLinux
import Glibc

/// Starting, signalling and reaping child processes; and how many CPUs there are to start them on.
public enum ChildProcesses {
    /// How a child ended.
    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        public init(waitStatus status: Int32) {
            // WIFEXITED/WEXITSTATUS are macros Swift does not import.
            self = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        }

        public var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// The number of online CPUs (at least 1).
    public static var onlineProcessors: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// What a child's descriptors are, beyond 0, 1 and 2 inherited as they are: every other
    /// descriptor of this process is close-on-exec.
    public enum Descriptor: Sendable {
        /// `fd` in the child is a copy of `source` here (`fd == source`: the same descriptor, its
        /// close-on-exec flag cleared for the child only).
        case duplicate(Int32, onto: Int32)
        /// `fd` in the child is `path` opened with `flags`.
        case open(Int32, path: String, flags: Int32)
    }

    /// Starts `executable` with `arguments` (argv[0] included) and `environment` (`NAME=value`), with no
    /// blocked signals and default dispositions for the ones a server handles or ignores.
    public static func spawn(
        _ executable: String, arguments: [String], environment: [String], descriptors: [Descriptor]
    ) throws(Errno) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in descriptors {
            switch descriptor {
            case .duplicate(let source, let fd): posix_spawn_file_actions_adddup2(&actions, source, fd)
            case .open(let fd, let path, let flags): posix_spawn_file_actions_addopen(&actions, fd, path, flags, 0)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A blocked or ignored signal would stay so across exec.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) }
        envp.append(nil)
        defer {
            for argument in argv { free(argument) }
            for variable in envp { free(variable) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw Errno(result, "posix_spawn") }
        return child
    }

    /// A child that has ended (reaped), or nil when none has.
    public static func reap() -> (pid: pid_t, termination: Termination)? {
        wait(-1, blocking: false)
    }

    /// Child `pid` once it has ended (reaped): at once, nil while it runs, or, `blocking`, when it ends.
    public static func reap(_ pid: pid_t, blocking: Bool) -> Termination? {
        wait(pid, blocking: blocking)?.termination
    }

    private static func wait(_ pid: pid_t, blocking: Bool) -> (pid: pid_t, termination: Termination)? {
        var status: Int32 = 0
        while true {
            let ended = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if ended > 0 { return (ended, Termination(waitStatus: status)) }
            if ended < 0 && errno == EINTR { continue }
            return nil  // 0: still running; ECHILD: no such child
        }
    }

    /// Sends `signal` to `pid`; false if it no longer exists.
    @discardableResult
    public static func signal(_ pid: pid_t, _ signal: Int32) -> Bool {
        kill(pid, signal) == 0
    }

    /// Asks the kernel to send `signal` to this process when its parent ends; false if the parent
    /// is no longer `parent` (it ended before the request took effect).
    public static func signalWhenParentEnds(_ signal: Int32, parent: pid_t) -> Bool {
        _ = spindle_set_parent_death_signal(signal)
        return getppid() == parent
    }

    /// This process's environment as `NAME=value` strings.
    public static var environment: [String] {
        var variables: [String] = []
        var cursor = environ
        while let variable = cursor.pointee {
            variables.append(String(cString: variable))
            cursor += 1
        }
        return variables
    }
}
