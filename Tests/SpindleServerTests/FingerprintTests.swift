import Testing

@testable import SpindleServer

@Suite struct FingerprintTests {
    static let hashedNames = [
        "app.3f9a1c2b.js",
        "index-DdPsQm1v.css",
        "chunk.a1b2c3d4e5f6.woff2",
        "assets/index-DdPsQm1v.js",
        "/_astro/index.C2mB7xYz.css",
        "main.a1b2c3d4.chunk.js",
        "main.min.6f4c0a5d0d5e5b4d5ea3a8c6c7f5b1f3d9c9b3b4e6f2a1b0c9d8e7f6a5b4c3d2.css",
        "chunk-5ZJQ2W3K.js",
        "vendor-B9kL2mNq.js",
        "logo.1A2B3C4D.svg",
        "runtime~main.0123abcd.js",
        "styles.ABCDEF12.css",
        "font-Q1w2E3r4.woff2",
        "app-0a1b2c3d4e.js",
        "image.abcdef0123456789.png",
        "data-X7_y8Z9a.json",
        "bundle.js.1234abcd.map",
        "page-HzB3tY2k.mjs",
        "index.5e6f7a8b.html.gz",
        "worker-Ab12Cd34.js",
        "sprite.9f8e7d6c.svg",
    ]

    static let plainNames = [
        "jquery-3.7.1.min.js",
        "style.css",
        "app.js",
        "index.html",
        "bootstrap.bundle.min.js",
        "react.production.min.js",
        "font-awesome-4.7.0.css",
        "lodash-4.17.21.js",
        "logo-1x.png",
        "icons-sprite2x.svg",
        "favicon-32x32.png",
        "roboto-v30-latin-regular.woff2",
        "Inter-Variable.woff2",
        "report-20240101.pdf",
        "3f9a1c2b.js",
        "deadbeefcafe.js",
        "app.deadbeef.js",
        "app-version2.js",
        "section-chapter10.html",
        "README",
        ".3f9a1c2b",
        "archive.tar.gz",
        "app.3f9a1c2.js",
        "x.3f9a1c2b",
    ]

    @Test(arguments: hashedNames)
    func fingerprinted(_ name: String) {
        #expect(Fingerprint.isFingerprinted(path: name))
    }

    @Test(arguments: plainNames)
    func notFingerprinted(_ name: String) {
        #expect(!Fingerprint.isFingerprinted(path: name))
    }
}
