import HTTP1

/// How a listing was asked for: `?sort=name|size|mtime&order=asc|desc`, and the form, JSON when
/// `?format=json` or when Accept prefers `application/json` (`?format=html` forces HTML). Unknown
/// parameters and values are ignored, as a listing link with a stray parameter should still work.
struct ListingOptions: Sendable, Hashable {
    var sort = DirectoryListing.Sort.name
    var descending = false
    var json = false

    init(sort: DirectoryListing.Sort = .name, descending: Bool = false, json: Bool = false) {
        self.sort = sort
        self.descending = descending
        self.json = json
    }

    init(query: UnsafeRawBufferPointer?, accept: UnsafeRawBufferPointer?) {
        var format: Bool?
        if let query {
            for parameter in query.split(separator: UInt8(ascii: "&")) {
                guard let equals = parameter.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let name = parameter[..<equals]
                let value = parameter[(equals + 1)...]
                if name.elementsEqual("sort".utf8) {
                    if let sort = DirectoryListing.Sort.allCases.first(where: { value.elementsEqual($0.rawValue.utf8) })
                    {
                        self.sort = sort
                    }
                } else if name.elementsEqual("order".utf8) {
                    if value.elementsEqual("asc".utf8) { descending = false }
                    if value.elementsEqual("desc".utf8) { descending = true }
                } else if name.elementsEqual("format".utf8) {
                    if value.elementsEqual("json".utf8) { format = true }
                    if value.elementsEqual("html".utf8) { format = false }
                }
            }
        }
        json = format ?? AcceptMediaType.prefersJSON(accept)
    }
}
