import Foundation
import FoundationXML
import SpindleCompare
import Testing

struct CompareReportTests {
    /// Three models × two levels × three variants, with made-up but distinguishable numbers.
    static func fixedResults() -> [StepResult] {
        var results: [StepResult] = []
        for (m, mode) in ["event-loop", "threads", "workers"].enumerated() {
            for level in [1, 64] {
                for variant in CompareVariant.allCases {
                    var load = LoadResult()
                    load.requests = UInt64(10_000 * (m + 1) + level)
                    load.bytes = load.requests * 1200
                    load.seconds = 2
                    for i in 1...1000 { load.latency.record(nanoseconds: Int64(i * 1000 * (m + 1))) }
                    load.errors.timeout = UInt64(m)
                    results.append(
                        StepResult(
                            mode: mode, variant: variant, connections: level,
                            path: variant.large ? "/large.bin" : "/small.html", load: load,
                            peakResidentBytes: (m + 1) * level * 1_000_000, maxThreads: m == 0 ? 1 : level + 2,
                            cpuSeconds: 1.5, note: m == 1 && level == 64 ? "server said \"hi\", then <left>" : nil))
                }
            }
        }
        return results
    }

    static func report() -> CompareReport {
        var options = CompareOptions()
        options.duration = 2
        return CompareReport(results: fixedResults(), options: options)
    }

    @Test func csvHasOneRowPerStepAndQuotesNotes() {
        let lines = Self.report().csv().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first.map(String.init) == CompareReport.csvHeader)
        #expect(lines.count == 1 + 18 + 1)  // header, rows, final newline
        #expect(lines.last == "")
        let columns = CompareReport.csvHeader.split(separator: ",").count
        let plain = lines.dropFirst().filter { !$0.isEmpty && !$0.contains("\"") }
        #expect(plain.count == 15)
        for line in plain { #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == columns) }
        let quoted = lines.filter { $0.contains("\"") }
        #expect(quoted.count == 3)
        #expect(quoted.allSatisfy { $0.hasSuffix(",\"server said \"\"hi\"\", then <left>\"") })
        // The first row: keep-alive-small, 1 connection, event-loop; 10001 requests over 2 s.
        let first = lines[1].split(separator: ",").map(String.init)
        #expect(
            Array(first[0...6]) == ["event-loop", "keep-alive-small", "/small.html", "1", "10001", "2.000", "5000.5"])
    }

    @Test func jsonParsesBack() throws {
        let text = Self.report().json()
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let root = try #require(object as? [String: Any])
        #expect(root["durationSeconds"] as? Double == 2)
        #expect(root["modes"] as? [String] == ["event-loop", "threads", "workers"])
        #expect(root["connections"] as? [Int] == [1, 64])
        let results = try #require(root["results"] as? [[String: Any]])
        #expect(results.count == 18)
        let first = results[0]
        #expect(first["mode"] as? String == "event-loop")
        #expect(first["variant"] as? String == "keep-alive-small")
        #expect(first["requests"] as? Int == 10_001)
        #expect(first["requestsPerSecond"] as? Double == 5000.5)
        let latency = try #require(first["latencyMicroseconds"] as? [String: Double])
        #expect(abs((latency["p50"] ?? 0) - 500) <= 5)
        #expect(abs((latency["p99"] ?? 0) - 990) <= 10)
        #expect(latency["max"] == 1000)
        #expect(first["note"] is NSNull)
        let noted = try #require(results.first { $0["note"] as? String != nil })
        #expect(noted["note"] as? String == "server said \"hi\", then <left>")
        #expect((noted["errors"] as? [String: Int])?["timeout"] == 1)
    }

    @Test func svgIsWellFormedWithOnePolylinePerModePerChart() throws {
        let text = Self.report().svg()
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(counter.count["svg"] == 1)
        // 3 variants × 3 metrics = 9 charts, each a <g> with one polyline per mode.
        #expect(counter.count["g"] == 9)
        #expect(counter.polylinesPerGroup == Array(repeating: ["event-loop": 1, "threads": 1, "workers": 1], count: 9))
        #expect(counter.pointsPerPolyline.allSatisfy { $0 == 2 })
        #expect(text.contains(">keep-alive, large file <"))
        #expect(text.contains(">requests/s</text>"))
        #expect(text.contains("&lt;left&gt;") == false)  // notes are not in the chart
    }

    @Test func tableListsEveryStep() {
        let table = Self.report().table()
        let lines = table.split(separator: "\n")
        #expect(lines[0].hasPrefix("variant"))
        #expect(lines[0].contains("req/s") && lines[0].contains("p99.9") && lines[0].contains("peak RSS"))
        #expect(lines.filter { $0.hasPrefix("keep-alive-small") }.count == 6)
        #expect(lines.filter { $0.contains("workers ") }.count == 6)
        #expect(lines.filter { $0.contains("threads ") }.count >= 6)
        #expect(table.contains("note: threads close-small c=64: server said"))
        #expect(table.contains(" 5001 "))  // 10,001 requests in 2 s, rounded
    }

    @Test func writesThreeFiles() throws {
        let directory = NSTemporaryDirectory() + "spindle-report-\(UUID().uuidString)/nested"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try Self.report().write(to: directory)
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["compare.csv", "compare.json", "compare.svg"])
        for path in paths { #expect(FileManager.default.fileExists(atPath: path)) }
        #expect(try String(contentsOfFile: paths[1], encoding: .utf8) == Self.report().json())
    }

    @Test func emptyResultsStillRender() throws {
        let report = CompareReport(results: [], options: CompareOptions())
        let object = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        #expect((object?["results"] as? [Any])?.isEmpty == true)
        #expect(XMLParser(data: Data(report.svg().utf8)).parse())
        #expect(report.csv() == CompareReport.csvHeader + "\n")
    }
}

/// Counts elements, and the polylines (by mode) and their points inside each <g>.
final class ElementCounter: NSObject, XMLParserDelegate {
    var count: [String: Int] = [:]
    var polylinesPerGroup: [[String: Int]] = []
    var pointsPerPolyline: [Int] = []

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        count[name, default: 0] += 1
        if name == "g" { polylinesPerGroup.append([:]) }
        if name == "polyline", let mode = attributes["data-mode"] {
            polylinesPerGroup[polylinesPerGroup.count - 1][mode, default: 0] += 1
            pointsPerPolyline.append(attributes["points"]?.split(separator: " ").count ?? 0)
        }
    }
}
