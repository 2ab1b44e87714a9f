public import TraceCrypto

/// The short fingerprint a printed label carries for a key: the first 16 bytes of SHA-256 over
/// the verifier key's text (`name+hash+base64`), as 32 lower-case hex digits. The buyer's page
/// checks the keys it embeds against the fingerprints in the QR code's URL.
public enum KeyFingerprint {
    /// The fingerprint of a verifier key's text.
    public static func of(_ verifierKey: String) -> String {
        String(SHA256.hash(Array(verifierKey.utf8)).hex.prefix(32))
    }
}
