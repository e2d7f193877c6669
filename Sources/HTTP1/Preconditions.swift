/// What the conditional request fields decide before a representation is selected.
public enum PreconditionResult: Sendable, Equatable {
    case proceed
    /// 304: the client's copy is current (GET/HEAD only).
    case notModified
    /// 412: a precondition the client relies on does not hold.
    case preconditionFailed
}

/// Evaluation of If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since in the order of
/// RFC 9110 §13.2.2. If-Range is separate (`EntityTag.ifRangeAllowsRange`): it only decides whether a
/// Range is honoured, after these.
public struct Preconditions {
    public var ifMatch: UnsafeRawBufferPointer?
    public var ifUnmodifiedSince: UnsafeRawBufferPointer?
    public var ifNoneMatch: UnsafeRawBufferPointer?
    public var ifModifiedSince: UnsafeRawBufferPointer?

    public init(
        ifMatch: UnsafeRawBufferPointer? = nil, ifUnmodifiedSince: UnsafeRawBufferPointer? = nil,
        ifNoneMatch: UnsafeRawBufferPointer? = nil, ifModifiedSince: UnsafeRawBufferPointer? = nil
    ) {
        self.ifMatch = ifMatch
        self.ifUnmodifiedSince = ifUnmodifiedSince
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
    }

    /// - Parameters:
    ///   - isGetOrHead: 304 is only for GET/HEAD; other methods get 412 when If-None-Match matches.
    ///   - etag: the current strong tag, with quotes.
    ///   - lastModified: the current modification time in epoch seconds.
    public func evaluate(isGetOrHead: Bool, etag: [UInt8], lastModified: Int64) -> PreconditionResult {
        if let ifMatch {
            if !EntityTag.ifMatchMatches(ifMatch, etag: etag) { return .preconditionFailed }
        } else if let ifUnmodifiedSince, let date = HTTPDate.parse(ifUnmodifiedSince) {
            // An invalid date is ignored (RFC 9110 §13.1.4).
            if lastModified > date { return .preconditionFailed }
        }
        if let ifNoneMatch {
            if EntityTag.ifNoneMatchMatches(ifNoneMatch, etag: etag) {
                return isGetOrHead ? .notModified : .preconditionFailed
            }
        } else if isGetOrHead, let ifModifiedSince, let date = HTTPDate.parse(ifModifiedSince) {
            if lastModified <= date { return .notModified }
        }
        return .proceed
    }
}
