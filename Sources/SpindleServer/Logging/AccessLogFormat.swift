/// The line format of the access log.
public enum AccessLogFormat: String, Sendable, Hashable, CaseIterable {
    /// NCSA combined: common plus quoted Referer and User-Agent (what nginx and Apache default to).
    case combined
    /// NCSA Common Log Format.
    case common
    /// One JSON object per line.
    case json
}
