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

/// Reusable Ed25519 verification state for one thread: one EVP_MD_CTX and the parsed keys
/// seen so far, so a run over many entries by few signers allocates almost nothing per check.
public final class SignatureVerifier {
    private let context: OpaquePointer
    private var keys: [[UInt8]: OpaquePointer] = [:]
    private var lastKey: OpaquePointer?
    private static let keyCacheLimit = 4096

    /// A verifier with an empty key cache.
    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        self.context = context
    }

    deinit {
        for key in keys.values { EVP_PKEY_free(key) }
        EVP_MD_CTX_free(context)
    }

    /// True when `signature` is a valid Ed25519 signature of `message` under `key`.
    public func verify(signature: [UInt8], message: [UInt8], key: PublicKey) -> Bool {
        guard signature.count == 64, let pkey = evpKey(key) else { return false }
        // OpenSSL 3.0 keeps the first key's state in a reused context: re-initialising it with
        // another key verifies against the old one. Reset whenever the key changes.
        if pkey != lastKey {
            EVP_MD_CTX_reset(context)
            lastKey = pkey
        }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, pkey) == 1 else {
            OpenSSL.clearErrors()
            return false
        }
        let ok = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                EVP_DigestVerify(context, sig.baseAddress, 64, msg.baseAddress, msg.count)
            }
        }
        if ok != 1 { OpenSSL.clearErrors() }
        return ok == 1
    }

    private func evpKey(_ key: PublicKey) -> OpaquePointer? {
        if let cached = keys[key.bytes] { return cached }
        let made = key.bytes.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }
        guard let made else {
            OpenSSL.clearErrors()
            return nil
        }
        if keys.count >= Self.keyCacheLimit {
            for old in keys.values { EVP_PKEY_free(old) }
            keys.removeAll(keepingCapacity: true)
            EVP_MD_CTX_reset(context)
            lastKey = nil
        }
        keys[key.bytes] = made
        return made
    }
}
