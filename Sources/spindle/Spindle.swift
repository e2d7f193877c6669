import ArgumentParser
import SpindleServer

@main
struct Spindle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spindle",
        abstract: "A single-threaded HTTP/1.1 static file server.",
        version: spindleVersion,
        subcommands: [Serve.self, CheckConfig.self, Compare.self],
        defaultSubcommand: Serve.self
    )
}
