import Foundation
import Testing

extension Integration {
    /// Client-side routes: `--fallback` and the `fallback` key, through curl, both modes.
    @Suite struct FallbackTests {
        func url(_ server: ServerProcess, _ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

        @Test(arguments: ServingMode.all)
        func flagServesTheShellForRoutes(mode: String) throws {
            let server = try ServerProcess(mode: mode, extraArguments: ["--fallback", "app/index.html"])
            try withStarted(server) { server in
                let route = try curlResponse([url(server, "/settings/profile")])
                #expect(route.status == 200)
                expectBody(route.body, DocumentRoot.appShell)
                #expect(route.header("Cache-Control") == "no-cache")
                let shell = try curlResponse([url(server, "/app/index.html")])
                #expect(route.header("ETag") == shell.header("ETag"))
                let lastModified = try #require(route.header("Last-Modified"))
                #expect(try curlResponse(["-z", lastModified, url(server, "/dashboard")]).status == 304)
                #expect(try curlResponse(["-I", url(server, "/dashboard")], forHead: true).status == 200)

                for path in ["/missing.js", "/img/x.png", "/.hidden", "/%2e%2e/secret.txt", "/escape.txt"] {
                    let response = try curlResponse(["--path-as-is", url(server, path)])
                    #expect(response.status >= 400, "\(path)")
                    #expect(!response.bodyText.contains("single-page app shell"), "\(path)")
                    #expect(!response.bodyText.contains(DocumentRoot.secretMarker), "\(path)")
                }
                // Existing files are unaffected.
                expectBody(try curlResponse([url(server, "/small.txt")]).body, DocumentRoot.shared.small)
            }
        }

        @Test(arguments: ServingMode.all)
        func configKeyAndOffByDefault(mode: String) throws {
            try withServer(mode) { server in
                let response = try curlResponse([url(server, "/settings/profile")])
                #expect(response.status == 404)
            }
            try withServer(mode, config: "fallback = \"index.html\"") { server in
                let route = try curlResponse([url(server, "/settings/profile")])
                #expect(route.status == 200)
                expectBody(route.body, DocumentRoot.shared.index)
            }
        }

        @Test func invalidFlagIsRefused() throws {
            let result = try run(ServerProcess.binary, ["--fallback", "../outside.html", "--listen", "127.0.0.1:0"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("--fallback"))
        }
    }
}
