import Glibc

/// The few file operations key handling needs, on POSIX calls so the mode is set at creation
/// (a key file must never exist, even briefly, with wider permissions than 0600).
enum FileIO {
    static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
            if n < buffer.count { break }
            if bytes.count > 1 << 20 { return nil }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func createPrivate(_ path: String, contents: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST {
                throw CryptoError(.keyFileExists, "key file \(path) already exists; refusing to overwrite a key")
            }
            throw CryptoError(.io, "cannot create key file \(path): \(String(cString: strerror(errno)))")
        }
        var written = 0
        while written < contents.count {
            let n = contents[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(path)
                throw CryptoError(.io, "cannot write key file \(path): \(reason)")
            }
            written += n
        }
        fsync(fd)
        close(fd)
    }
}
