import ArgumentParser
import SpindleServer

/// `spindle check-config FILE`: validates without serving; `file:line: message` and a non-zero exit on error.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file and exit.")

    @Argument(help: "The configuration file.")
    var file: String

    func run() throws {
        do {
            _ = try Configuration.load(path: file)
            print("\(file): OK")
        } catch {
            printError("spindle: \(error.description)")
            throw ExitCode(1)
        }
    }
}
