import HTTP1
import Posix
public final class ThreadedServer {
    public init(listeners: [Listener], site: Site, responder: Responder, settings: ServerSettings, hooks: ServerHooks) throws(Errno) {}
    public func run() throws(Errno) -> Int32 { 1 }
}
