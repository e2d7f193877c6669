/// Where the configuration comes from: the file named by `--config` (or none: the defaults), then
/// the command-line flags over it. Read at start-up and again on each reload.
public struct ConfigurationSource: Sendable {
    public var path: String?
    public var overrides: CommandLineOverrides

    public init(path: String?, overrides: CommandLineOverrides) {
        self.path = path
        self.overrides = overrides
    }

    public func load() throws(ConfigError) -> Configuration {
        var configuration =
            try path.map { (path) throws(ConfigError) in try Configuration.load(path: path) } ?? .default
        overrides.apply(to: &configuration)
        // The file alone cannot conflict (its reader checks); a flag over it can.
        if let conflict = configuration.workersConflict {
            throw ConfigError(
                file: "command line", line: nil, key: overrides.workers != nil ? "--workers" : "--mode",
                message: conflict)
        }
        return configuration
    }
}
