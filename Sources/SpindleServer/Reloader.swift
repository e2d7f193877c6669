import Posix

/// SIGHUP: re-reads the configuration and builds what serving needs from it. Anything invalid is
/// logged and the running configuration kept; systemd hears RELOADING=1, then READY=1 either way.
struct Reloader: Sendable {
    let source: ConfigurationSource
    /// The configuration the process started with: that is what it still listens on.
    let startup: Configuration
    let logs: LiveAccessLog
    let notifier: SystemdNotifier
    let diagnostics: Diagnostics

    /// The new configuration and a Responder for it (which proves its root can be opened), or nil
    /// with the reason logged. The supervisor of workers validates with it too.
    static func loadValid(
        _ source: ConfigurationSource, _ diagnostics: Diagnostics
    ) -> (Configuration, Responder)? {
        let reloaded: Configuration
        do {
            reloaded = try source.load()
        } catch {
            diagnostics.error("reload: \(error); keeping the previous configuration")
            return nil
        }
        do {
            return (reloaded, try Responder(site: Site(reloaded)))
        } catch {
            diagnostics.error("reload: root \(reloaded.root): \(error); keeping the previous configuration")
            return nil
        }
    }

    /// The new responder and settings, or nil to keep the old ones.
    func reload() -> (Responder, ServerSettings)? {
        notifier.reloading(monotonicMicroseconds: MonotonicClock.nanoseconds() / 1000)
        defer { notifier.ready(status: "serving") }
        guard let (reloaded, responder) = Self.loadValid(source, diagnostics) else { return nil }
        switchAccessLog(to: reloaded)
        diagnostics.setLevel(reloaded.logLevel)
        if reloaded.listen != startup.listen || reloaded.mode != startup.mode
            || reloaded.statusListen != startup.statusListen
        {
            diagnostics.warning("reload: listen addresses (status_listen too) and mode change only on restart")
        }
        diagnostics.info("configuration reloaded")
        return (responder, ServerSettings(reloaded))
    }

    /// A new destination or format gets a new log; the same one is reopened (logrotate may have moved it).
    private func switchAccessLog(to configuration: Configuration) {
        let old = logs.log
        old.flush()
        guard configuration.accessLog != old.destination || configuration.accessLogFormat != old.format else {
            logs.reopen()
            return
        }
        do {
            logs.replace(with: try AccessLog(configuration, diagnostics: diagnostics))
        } catch {
            diagnostics.error("reload: access log: \(error); keeping the previous log")
        }
    }
}
