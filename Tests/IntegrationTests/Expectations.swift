import Testing

/// Compares bodies and, when they differ, records sizes and the first differing offset rather than
/// dumping both byte arrays (megabytes, for some tests).
func expectBody(
    _ actual: some Collection<UInt8>, _ expected: some Collection<UInt8>, _ comment: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard !sameBytes(Array(actual), Array(expected)) else { return }
    let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
    let sample = String(decoding: actual.prefix(200), as: UTF8.self)
    let at = firstDifference.map { String($0) } ?? "the end of the shorter"
    let message =
        "body differs \(comment): \(actual.count) bytes, expected \(expected.count); first difference at \(at); "
        + "starts \(sample.debugDescription)"
    Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
}
