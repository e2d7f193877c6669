import Glibc

/// RLIMIT_NOFILE: how many descriptors the process may hold.
public enum DescriptorLimit {
    public static func current() -> (soft: Int, hard: Int) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return (Int(clamping: limit.rlim_cur), Int(clamping: limit.rlim_max))
    }

    /// Raises the soft limit towards `wanted` (never above the hard limit); returns the new soft limit.
    @discardableResult
    public static func raise(to wanted: Int) -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let target = min(rlim_t(wanted), limit.rlim_max)
        if target > limit.rlim_cur {
            limit.rlim_cur = target
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return current().soft
    }
}
