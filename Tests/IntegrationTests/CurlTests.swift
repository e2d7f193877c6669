import Foundation
import Testing

extension Integration {
    /// What a real client sees: ranges, conditional requests and a large download, through curl.
    @Suite struct CurlTests {
        let site = DocumentRoot.shared

        func url(_ server: ServerProcess, _ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

        @Test(arguments: ServingMode.all)
        func singleRange(mode: String) throws {
            try withServer(mode) { server in
                let response = try curlResponse(["-r", "0-99", url(server, "/medium.bin")])
                #expect(response.status == 206)
                #expect(response.header("Content-Range") == "bytes 0-99/\(site.medium.count)")
                #expect(response.header("Content-Length") == "100")
                expectBody(response.body, Array(site.medium[0..<100]))

                let tail = try curlResponse(["-r", "-10", url(server, "/small.txt")])
                #expect(tail.status == 206)
                #expect(tail.header("Content-Range") == "bytes 1014-1023/1024")
                expectBody(tail.body, Array(site.small[1014...]))

                let open = try curlResponse(["-r", "262000-", url(server, "/medium.bin")])
                #expect(open.status == 206)
                expectBody(open.body, Array(site.medium[262000...]))
            }
        }

        @Test(arguments: ServingMode.all)
        func unsatisfiableRangeIs416(mode: String) throws {
            try withServer(mode) { server in
                let response = try curlResponse(["-r", "5000-6000", url(server, "/small.txt")])
                #expect(response.status == 416)
                #expect(response.header("Content-Range") == "bytes */1024")
            }
        }

        @Test(arguments: ServingMode.all)
        func multipleRangesAreMultipartByteranges(mode: String) throws {
            try withServer(mode) { server in
                let response = try curlResponse(["-r", "0-9,100-199,1000-", url(server, "/small.txt")])
                #expect(response.status == 206)
                let type = response.header("Content-Type") ?? ""
                #expect(type.hasPrefix("multipart/byteranges; boundary="))
                let boundary = String(type.dropFirst("multipart/byteranges; boundary=".count))
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                let parts = try multipartParts(response.body, boundary: boundary)
                try #require(parts.count == 3, "\(response.bodyText)")
                let expected: [(String, ArraySlice<UInt8>)] = [
                    ("bytes 0-9/1024", site.small[0...9]),
                    ("bytes 100-199/1024", site.small[100...199]),
                    ("bytes 1000-1023/1024", site.small[1000...]),
                ]
                for (part, (range, bytes)) in zip(parts, expected) {
                    #expect(part.headers["content-range"] == range)
                    #expect(part.headers["content-type"]?.hasPrefix("text/plain") == true)
                    expectBody(part.body, Array(bytes))
                }
            }
        }

        @Test(arguments: ServingMode.all)
        func ifModifiedSinceGives304(mode: String) throws {
            try withServer(mode) { server in
                let first = try curlResponse([url(server, "/small.txt")])
                let lastModified = try #require(first.header("Last-Modified"))
                let notModified = try curlResponse(["-z", lastModified, url(server, "/small.txt")])
                #expect(notModified.status == 304)
                #expect(notModified.body.isEmpty)
                #expect(notModified.header("ETag") == first.header("ETag"))
                let modified = try curlResponse(["-z", "Sun, 06 Nov 1994 08:49:37 GMT", url(server, "/small.txt")])
                #expect(modified.status == 200)
                expectBody(modified.body, site.small)
            }
        }

        @Test(arguments: ServingMode.all)
        func hundredMebibyteDownloadHasTheRightDigest(mode: String) throws {
            let expected = try BigFileDigest.value
            let file = site.scratch + "/download-\(mode).bin"
            defer { try? FileManager.default.removeItem(atPath: file) }
            try withServer(mode) { server in
                let result = try curl(["-o", file, "-w", "%{http_code} %{size_download}", url(server, "/big.bin")])
                #expect(result.status == 0, "\(result.stderr)")
                #expect(String(decoding: result.stdout, as: UTF8.self) == "200 \(DocumentRoot.bigSize)")
                #expect(try sha256(ofFile: file) == expected)
            }
        }

        struct Part {
            var headers: [String: String]
            var body: [UInt8]
        }

        /// Splits a multipart/byteranges body (RFC 9110 §14.6) into its parts.
        func multipartParts(_ body: [UInt8], boundary: String) throws -> [Part] {
            let delimiter = Array("--\(boundary)".utf8)
            var parts: [Part] = []
            guard var position = HTTPResponse.find(delimiter, in: body) else {
                throw HarnessError("no boundary in multipart body")
            }
            while true {
                position += delimiter.count
                if body[position...].starts(with: Array("--".utf8)) { break }  // the close delimiter
                guard body[position...].starts(with: [13, 10]),
                    let headEnd = HTTPResponse.find([13, 10, 13, 10], in: body, from: position)
                else { throw HarnessError("bad part at \(position)") }
                var headers: [String: String] = [:]
                for line in String(decoding: body[(position + 2)..<headEnd], as: UTF8.self).components(
                    separatedBy: "\r\n")
                where !line.isEmpty {
                    let pieces = line.split(separator: ":", maxSplits: 1)
                    guard pieces.count == 2 else { throw HarnessError("bad part header \(line)") }
                    headers[pieces[0].lowercased()] = pieces[1].trimmingCharacters(in: .whitespaces)
                }
                guard let next = HTTPResponse.find(Array("\r\n--\(boundary)".utf8), in: body, from: headEnd + 4) else {
                    throw HarnessError("unterminated part")
                }
                parts.append(Part(headers: headers, body: Array(body[(headEnd + 4)..<next])))
                position = next + 2
            }
            return parts
        }
    }
}

/// SHA-256 of big.bin, computed once.
enum BigFileDigest {
    private static let computed = Result { try sha256(ofFile: DocumentRoot.shared.root + "/big.bin") }
    static var value: String { get throws { try computed.get() } }
}
