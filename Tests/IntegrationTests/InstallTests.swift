import Foundation
import Testing

extension Integration {
    /// `make install` into a DESTDIR, through `install-files` with the debug binary (what `install` runs
    /// after the release build), and `make uninstall`.
    @Suite struct InstallTests {
        static let root = ServerProcess.packageRoot.path

        /// Runs make in the package root, with no MAKEFLAGS inherited from a `make test` around us.
        static func make(_ arguments: [String]) throws -> CommandResult {
            try run(
                "/usr/bin/env", ["-u", "MAKEFLAGS", "-u", "MAKELEVEL", "-u", "MFLAGS", "make", "-C", root] + arguments,
                timeout: 60)
        }

        static func permissions(_ path: String) throws -> Int {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }

        /// Every regular file under `directory`, relative to it, sorted.
        static func files(under directory: String) -> [String] {
            let enumerator = FileManager.default.enumerator(atPath: directory)
            var files: [String] = []
            while let path = enumerator?.nextObject() as? String {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory),
                    !isDirectory.boolValue
                {
                    files.append(path)
                }
            }
            return files.sorted()
        }

        @Test func installProducesTheTreeKeepsAnEditedConfigAndUninstallKeepsOnlyIt() throws {
            let destination = DocumentRoot.shared.scratch + "/install-\(UUID().uuidString)"
            let variables = ["BINARY=\(ServerProcess.binary)", "DESTDIR=\(destination)", "PREFIX=/usr/local"]
            let first = try Self.make(["install-files"] + variables)
            #expect(first.status == 0, "make install-files: \(first.stderr)")

            let expected: [(path: String, source: String?, mode: Int)] = [
                ("etc/logrotate.d/spindle", "config/spindle.logrotate", 0o644),
                ("etc/spindle/spindle.toml", "config/spindle.toml", 0o644),
                ("etc/systemd/system/spindle.service", nil, 0o644),
                ("etc/systemd/system/spindle.socket", "config/spindle.socket", 0o644),
                ("usr/local/bin/spindle", nil, 0o755),
                ("usr/local/share/doc/spindle/README.md", "README.md", 0o644),
            ]
            #expect(Self.files(under: destination) == expected.map(\.path))
            for file in expected {
                let installed = destination + "/" + file.path
                #expect(try Self.permissions(installed) == file.mode, "mode of \(file.path)")
                if let source = file.source {
                    #expect(
                        FileManager.default.contentsEqual(atPath: installed, andPath: Self.root + "/" + source),
                        "\(file.path) differs from \(source)")
                }
            }
            #expect(
                try sha256(ofFile: destination + "/usr/local/bin/spindle") == sha256(ofFile: ServerProcess.binary))
            let service = try String(
                contentsOfFile: destination + "/etc/systemd/system/spindle.service", encoding: .utf8)
            #expect(service.contains("\nExecStart=/usr/local/bin/spindle --config /etc/spindle/spindle.toml\n"))

            // The installed binary accepts the installed configuration.
            let check = try run(
                destination + "/usr/local/bin/spindle", ["check-config", destination + "/etc/spindle/spindle.toml"])
            #expect(check.status == 0, "check-config: \(check.stderr)")

            // A second install restores what it owns but keeps the administrator's configuration.
            let config = destination + "/etc/spindle/spindle.toml"
            let edited = "root = \"/srv/edited\"\n"
            try edited.write(toFile: config, atomically: true, encoding: .utf8)
            try FileManager.default.removeItem(atPath: destination + "/etc/systemd/system/spindle.socket")
            let second = try Self.make(["install-files"] + variables)
            #expect(second.status == 0, "second make install-files: \(second.stderr)")
            #expect(try String(contentsOfFile: config, encoding: .utf8) == edited)
            #expect(FileManager.default.fileExists(atPath: destination + "/etc/systemd/system/spindle.socket"))

            let uninstall = try Self.make(["uninstall"] + variables)
            #expect(uninstall.status == 0, "make uninstall: \(uninstall.stderr)")
            #expect(Self.files(under: destination) == ["etc/spindle/spindle.toml"])
            #expect(!FileManager.default.fileExists(atPath: destination + "/usr/local/share/doc/spindle"))
            #expect(try String(contentsOfFile: config, encoding: .utf8) == edited)
        }

        /// PREFIX moves the binary and the documentation, and the unit follows both.
        @Test func prefixReachesTheUnit() throws {
            let destination = DocumentRoot.shared.scratch + "/install-\(UUID().uuidString)"
            let result = try Self.make([
                "install-files", "BINARY=\(ServerProcess.binary)", "DESTDIR=\(destination)", "PREFIX=/usr",
            ])
            #expect(result.status == 0, "make install-files: \(result.stderr)")
            #expect(FileManager.default.isExecutableFile(atPath: destination + "/usr/bin/spindle"))
            #expect(FileManager.default.fileExists(atPath: destination + "/usr/share/doc/spindle/README.md"))
            let service = try String(
                contentsOfFile: destination + "/etc/systemd/system/spindle.service", encoding: .utf8)
            #expect(service.contains("\nExecStart=/usr/bin/spindle "))
            #expect(service.contains("\nDocumentation=file:///usr/share/doc/spindle/README.md\n"))
            #expect(!service.contains("/usr/local"))
        }

        /// Without a binary, install-files stops before installing anything.
        @Test func installFilesWithoutBinaryFails() throws {
            let destination = DocumentRoot.shared.scratch + "/install-\(UUID().uuidString)"
            let result = try Self.make([
                "install-files", "BINARY=\(destination)/missing", "DESTDIR=\(destination)",
            ])
            #expect(result.status != 0)
            #expect(result.stderr.contains("missing"))
            #expect(!FileManager.default.fileExists(atPath: destination))
        }
    }
}
