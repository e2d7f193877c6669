/// The hooks of a real server process: the access log, reloads, log reopening and systemd.
extension ServerHooks {
    init(logs: LiveAccessLog, reloader: Reloader, notifier: SystemdNotifier, diagnostics: Diagnostics) {
        self.init()
        // Without a log nor a file to reload one from, no request needs its line (or its peer's address).
        if logs.log.isEnabled || reloader.source.path != nil {
            logRequest = { socket, head, request, response, now in
                logs.record(socket: socket, head: head, request: request, response: response, now: now)
            }
        }
        reopenLogs = { logs.reopen() }
        reload = { reloader.reload() }
        tick = { now, connections, requests in
            logs.log.flushIfDue(now: Int(now))
            notifier.tick(connections: connections, requests: requests)
        }
        ready = { notifier.ready(status: "serving") }
        stopping = { notifier.stopping() }
        warn = { diagnostics.warning($0) }
    }
}
