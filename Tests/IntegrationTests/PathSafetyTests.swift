import Testing

extension Integration {
    /// Nothing outside the root is ever served, whatever the spelling of the path.
    @Suite struct PathSafetyTests {
        static let escapes = [
            "/../secret.txt",
            "/subdir/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/subdir/%2e%2e/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/%2e%2e%2fsecret.txt",
            "/subdir/..%2f..%2fsecret.txt",
            "/./../outside/secret.txt",
            "//../secret.txt",
            "/escape.txt",
            "/escape-dir/secret.txt",
            "/escape-dir/",
            "/escape-dir",
            "/%2e%2e/outside/secret.txt",
            "/..\\secret.txt",
            "/%00/../secret.txt",
        ]

        @Test(arguments: ServingMode.all)
        func escapesNeverReachOutsideContent(mode: String) throws {
            try withServer(mode) { server in
                for path in Self.escapes {
                    let client = try RawClient(port: server.port)
                    try client.send(get(path))
                    let response = try client.readResponse()
                    #expect(!response.bodyText.contains(DocumentRoot.secretMarker), "\(path)")
                    #expect([400, 403, 404].contains(response.status), "\(path) → \(response.status)")
                }
            }
        }

        @Test(arguments: ServingMode.all)
        func dotfilesAre404(mode: String) throws {
            try withServer(mode) { server in
                for path in ["/.hidden", "/%2ehidden", "/subdir/../.hidden"] {
                    let response = try RawClient.exchange(port: server.port, get(path))
                    #expect(response.status == 404, "\(path)")
                    #expect(!response.bodyText.contains("never served"), "\(path)")
                }
            }
        }

        @Test(arguments: ServingMode.all)
        func directoryWithoutSlashIsRedirected(mode: String) throws {
            try withServer(mode) { server in
                let response = try RawClient.exchange(port: server.port, get("/subdir"))
                #expect(response.status == 301)
                // Relative references are allowed (RFC 9110 §10.2.2): "subdir/" resolved against /subdir is /subdir/.
                let location = response.header("Location") ?? ""
                #expect(["/subdir/", "subdir/", "http://127.0.0.1:\(server.port)/subdir/"].contains(location))
                let withQuery = try RawClient.exchange(port: server.port, get("/subdir?x=1"))
                #expect(withQuery.status == 301)
                #expect(withQuery.header("Location")?.hasSuffix("subdir/?x=1") == true)
                let followed = try RawClient.exchange(port: server.port, get("/subdir/"))
                #expect(followed.status == 200)
                expectBody(followed.body, DocumentRoot.shared.subdirIndex)
            }
        }

        @Test(arguments: ServingMode.all)
        func encodedAndDotSegmentPathsInsideTheRootResolve(mode: String) throws {
            try withServer(mode) { server in
                for path in ["/subdir/../small.txt", "/%73mall.txt", "/./small.txt", "/small.txt?query=1"] {
                    let response = try RawClient.exchange(port: server.port, get(path))
                    #expect(response.status == 200, "\(path)")
                    expectBody(response.body, DocumentRoot.shared.small, "\(path)")
                }
            }
        }
    }
}
