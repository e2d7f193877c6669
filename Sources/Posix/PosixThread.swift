import Glibc

/// A detached pthread with a chosen stack size. The threads serving mode creates one per connection
/// on purpose (that is the model it measures), so this stays a thin wrapper, not a pool.
public enum PosixThread {
    private final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts `body` on a new detached thread.
    public static func spawn(stackSize: Int, _ body: @escaping @Sendable () -> Void) throws(Errno) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let pageRounded = max(Int(PTHREAD_STACK_MIN), (stackSize + 4095) & ~4095)
        pthread_attr_setstacksize(&attributes, pageRounded)
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, &attributes,
            { argument in
                guard let argument else { return nil }
                let box = Unmanaged<Box>.fromOpaque(argument).takeRetainedValue()
                box.body()
                return nil
            }, box)
        if result != 0 {
            Unmanaged<Box>.fromOpaque(box).release()
            throw Errno(result, "pthread_create")
        }
    }
}
