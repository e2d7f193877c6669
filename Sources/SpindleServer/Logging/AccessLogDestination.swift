/// Where access-log lines go.
public enum AccessLogDestination: Sendable, Hashable {
    case off
    /// Written as `-` in the configuration; under systemd this is the journal.
    case standardOutput
    /// Opened with O_APPEND, so that several writers and logrotate's `copytruncate` behave; a
    /// relative path is relative to the working directory.
    case file(String)

    /// From the configuration-file (or `--access-log`) spelling: `off`, `-` or a path.
    public init(configValue: String) {
        self = configValue == "off" ? .off : configValue == "-" ? .standardOutput : .file(configValue)
    }

    /// The configuration-file spelling: `off`, `-` or the path.
    public var configValue: String {
        switch self {
        case .off: "off"
        case .standardOutput: "-"
        case .file(let path): path
        }
    }
}
