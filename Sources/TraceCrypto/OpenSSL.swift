import COpenSSL

/// The one path by which TraceCrypto calls libcrypto: a failed call becomes a thrown
/// `CryptoError` naming the function, and the thread's error queue is drained so that
/// stale errors never surface in a later, unrelated report.
enum OpenSSL {
    /// Throws unless `result` is 1, OpenSSL's success value for most EVP calls.
    static func check(_ result: Int32, _ function: StaticString) throws {
        guard result == 1 else { throw failure(function) }
    }

    /// Throws unless `pointer` is non-nil.
    static func check<T>(_ pointer: T?, _ function: StaticString) throws -> T {
        guard let pointer else { throw failure(function) }
        return pointer
    }

    /// Builds the error for a failed call and clears the queue.
    static func failure(_ function: StaticString) -> CryptoError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let detail = reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; ")
        return CryptoError(.openssl, "\(function) failed\(detail)")
    }

    /// Drops queued errors after a call whose failure is an expected answer (a bad signature).
    static func clearErrors() { ERR_clear_error() }
}
