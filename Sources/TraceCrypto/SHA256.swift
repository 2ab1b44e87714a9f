import COpenSSL

/// SHA-256 over libcrypto's EVP interface.
public enum SHA256 {
    /// The algorithm, fetched once: an implicit fetch on every init halves throughput (STYLE.md).
    static let algorithm = FetchedDigest()

    /// Hashes `data` in one call.
    public static func hash(_ data: [UInt8]) -> Digest {
        let hasher = Hasher()
        hasher.update(data)
        return hasher.finalize()
    }

    /// Hashes the concatenation of `parts` (for example a domain byte and a record).
    public static func hash(parts: [[UInt8]]) -> Digest {
        let hasher = Hasher()
        for part in parts { hasher.update(part) }
        return hasher.finalize()
    }

    /// A streaming SHA-256; `finalize` returns the digest and readies it for the next message,
    /// so one hasher per thread serves a whole verification run without reallocating.
    public final class Hasher {
        private let context: OpaquePointer

        /// A fresh hasher.
        public init() {
            // EVP_MD_CTX_new fails only when memory is exhausted; there is nothing to recover.
            guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
            self.context = context
            reset()
        }

        deinit { EVP_MD_CTX_free(context) }

        /// Starts a new message.
        public func reset() {
            guard EVP_DigestInit_ex2(context, SHA256.algorithm.md, nil) == 1 else {
                fatalError("\(OpenSSL.failure("EVP_DigestInit_ex2"))")
            }
        }

        /// Adds bytes to the message.
        public func update(_ data: [UInt8]) {
            data.withUnsafeBytes { update($0) }
        }

        /// Adds the bytes of a buffer.
        public func update(_ raw: UnsafeRawBufferPointer) {
            // EVP_DigestUpdate on an initialised SHA-256 context cannot fail.
            _ = EVP_DigestUpdate(context, raw.baseAddress, raw.count)
        }

        /// Adds one byte (a domain-separation prefix).
        public func update(byte: UInt8) {
            withUnsafeBytes(of: byte) { raw in _ = EVP_DigestUpdate(context, raw.baseAddress, 1) }
        }

        /// Returns the digest of everything added since the last reset, then resets.
        public func finalize() -> Digest {
            var out = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            _ = EVP_DigestFinal_ex(context, &out, &length)
            reset()
            return Digest(unchecked: out)
        }
    }
}

/// A fetched EVP_MD for SHA-256.
/// @unchecked Sendable: a fetched EVP_MD is immutable and OpenSSL allows sharing it across threads.
final class FetchedDigest: @unchecked Sendable {
    let md: OpaquePointer

    init() {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else {
            fatalError("\(OpenSSL.failure("EVP_MD_fetch(SHA256)")): is libcrypto installed (libssl-dev)?")
        }
        self.md = md
    }

    deinit { EVP_MD_free(md) }
}
