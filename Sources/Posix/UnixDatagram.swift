import Glibc

/// One datagram to a Unix socket path; a leading "@" names the abstract namespace. This is all
/// sd_notify is, so Spindle needs no libsystemd.
public enum UnixDatagram {
    public static func send(_ message: String, to path: String) throws(Errno) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(path.utf8)
        let abstract = pathBytes.first == UInt8(ascii: "@")
        if abstract { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else { throw Errno(ENAMETOOLONG, "sd_notify") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (abstract ? 0 : 1))
        let fd = FileDescriptor(
            owning: try syscall("socket") {
                socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            })
        var bytes = Array(message.utf8)
        _ = try withUnsafePointer(to: &address) { (pointer) throws(Errno) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (sa) throws(Errno) in
                try syscall("sendto") { sendto(fd.rawValue, &bytes, bytes.count, Int32(MSG_NOSIGNAL), sa, length) }
            }
        }
    }
}
