import Foundation
import Testing

@testable import SpindleServer

@Suite struct ConfigurationSourceTests {
    @Test func flagsWinOverTheFileWhichWinsOverTheDefaults() throws {
        let path = NSTemporaryDirectory() + "spindle-source-\(getpid()).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "root = \"/srv/file\"\nmode = \"threads\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let overrides = try CommandLineOverrides(root: "/srv/flag", listen: [], mode: nil, accessLog: nil)

        let configuration = try ConfigurationSource(path: path, overrides: overrides).load()
        #expect(configuration.root == "/srv/flag" && configuration.mode == .threads)
        #expect(configuration.listen == Configuration.defaultListen)

        let withoutFile = try ConfigurationSource(path: nil, overrides: overrides).load()
        #expect(withoutFile.root == "/srv/flag" && withoutFile.mode == Configuration.default.mode)
    }

    @Test func listingFlagTurnsListingsOnOverTheFile() throws {
        let path = NSTemporaryDirectory() + "spindle-listing-\(getpid()).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "listing = false\nlisting_max_entries = 7\n".write(toFile: path, atomically: true, encoding: .utf8)
        let flag = try CommandLineOverrides(root: nil, listen: [], mode: nil, accessLog: nil, listing: true)
        let configuration = try ConfigurationSource(path: path, overrides: flag).load()
        #expect(configuration.listing && configuration.listingMaxEntries == 7)
        let withoutFlag = try ConfigurationSource(path: path, overrides: CommandLineOverrides()).load()
        #expect(!withoutFlag.listing)
    }

    @Test func aBadFileIsAConfigError() {
        let source = ConfigurationSource(path: "/nonexistent/spindle.toml", overrides: CommandLineOverrides())
        #expect(throws: ConfigError.self) { try source.load() }
    }
}
