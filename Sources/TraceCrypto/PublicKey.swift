import COpenSSL

/// An Ed25519 public key: 32 bytes (RFC 8032).
public struct PublicKey: Hashable, Sendable {
    /// The raw 32-byte key.
    public let bytes: [UInt8]

    /// Wraps a raw key; throws unless it is 32 bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw CryptoError(.badLength, "an Ed25519 public key is 32 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Checks an Ed25519 signature over `message`. A wrong-length signature is simply invalid.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        let verifier = SignatureVerifier()
        return verifier.verify(signature: signature, message: message, key: self)
    }
}

/// Reusable Ed25519 verification state for one thread: one EVP_MD_CTX per key seen, each
/// initialised once, so a run over many entries by few signers allocates nothing per check.
public final class SignatureVerifier {
    private var contexts: [[UInt8]: OpaquePointer] = [:]
    private var lastKey: [UInt8] = []
    private var lastContext: OpaquePointer?
    private static let cacheLimit = 4096

    /// A verifier with no keys yet.
    public init() {}

    deinit {
        for context in contexts.values { EVP_MD_CTX_free(context) }
    }

    /// True when `signature` is a valid Ed25519 signature of `message` under `key`.
    public func verify(signature: [UInt8], message: [UInt8], key: PublicKey) -> Bool {
        guard signature.count == 64, let context = context(for: key) else { return false }
        let ok = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                EVP_DigestVerify(context, sig.baseAddress, 64, msg.baseAddress, msg.count)
            }
        }
        if ok != 1 { OpenSSL.clearErrors() }
        return ok == 1
    }

    /// The context initialised for `key`. EdDSA's one-shot EVP_DigestVerify leaves a context
    /// ready for the next message (this is how `openssl speed` measures), while initialising
    /// costs an algorithm fetch and allocations; and OpenSSL 3.0 keeps the first key's state in
    /// a context re-initialised with another key. So: one context per key, initialised once.
    private func context(for key: PublicKey) -> OpaquePointer? {
        if key.bytes == lastKey, let lastContext { return lastContext }
        if let cached = contexts[key.bytes] {
            lastKey = key.bytes
            lastContext = cached
            return cached
        }
        guard
            let pkey = key.bytes.withUnsafeBufferPointer({
                EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
            })
        else {
            OpenSSL.clearErrors()
            return nil
        }
        // The context holds its own reference to the key.
        defer { EVP_PKEY_free(pkey) }
        guard let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, pkey) == 1 else {
            OpenSSL.clearErrors()
            EVP_MD_CTX_free(context)
            return nil
        }
        if contexts.count >= Self.cacheLimit {
            for old in contexts.values { EVP_MD_CTX_free(old) }
            contexts.removeAll(keepingCapacity: true)
        }
        contexts[key.bytes] = context
        lastKey = key.bytes
        lastContext = context
        return context
    }
}
