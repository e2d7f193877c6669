import Testing

@testable import SpindleServer

struct MimeTypesTests {
    let types = MimeTypes()

    @Test(arguments: [
        ("index.html", "text/html; charset=utf-8"),
        ("a/b/INDEX.HTM", "text/html; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("data.json", "application/json; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("notes.txt", "text/plain; charset=utf-8"),
        ("README.md", "text/markdown; charset=utf-8"),
        ("photo.JPG", "image/jpeg"),
        ("font.woff2", "font/woff2"),
        ("module.wasm", "application/wasm"),
        ("archive.tar.gz", "application/gzip"),
        ("Makefile", "application/octet-stream"),
        (".profile", "application/octet-stream"),
        ("dir/.hidden", "application/octet-stream"),
        ("dir.d/file", "application/octet-stream"),
        ("file.", "application/octet-stream"),
        ("file.unknownext", "application/octet-stream"),
        ("", "application/octet-stream"),
    ])
    func builtIn(_ path: String, _ expected: String) {
        #expect(types.contentType(forPath: path) == expected)
    }

    @Test func overrides() {
        let types = MimeTypes(overrides: [".MD": "text/plain", "foo": "application/x-foo", "bad": "a\r\nb: c"])
        #expect(types.contentType(forPath: "x.md") == "text/plain")
        #expect(types.contentType(forPath: "x.FOO") == "application/x-foo")
        #expect(types.contentType(forPath: "x.bad") == "application/octet-stream")
        #expect(types.contentType(forPath: "x.html") == "text/html; charset=utf-8")
    }
}
