import CLinux
import Glibc

/// Starting, signalling and reaping child processes; and how many CPUs there are to start them on.
public enum ChildProcesses {
    /// How a child ended.
    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        init(waitStatus status: Int32) {
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

    /// Starts `executable` with `arguments` (argv[0] included) and `environment` (`NAME=value`), with no
    /// blocked signals and default dispositions for the ones a server handles or ignores. Of this
    /// process's descriptors the child inherits 0, 1, 2 and `inherited`, whose close-on-exec flag is
    /// cleared for the child only (a dup2 of a descriptor onto itself, in the spawn's file actions).
    public static func spawn(
        _ executable: String, arguments: [String], environment: [String], inherited: [Int32]
    ) throws(Errno) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in inherited { posix_spawn_file_actions_adddup2(&actions, fd, fd) }

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
        guard result == 0 else { throw Errno(result, "posix_spawn \(executable)") }
        return child
    }

    /// A child that has ended (reaped), or nil when none has.
    public static func reap() -> (pid: pid_t, termination: Termination)? {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 { return (pid, Termination(waitStatus: status)) }
            if pid < 0 && errno == EINTR { continue }
            return nil  // 0: children still running; ECHILD: none left
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
