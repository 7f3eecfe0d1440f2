import CSodium
import Foundation

/// The chain's shared secrets: the PIN pepper and the key that seals member PII.
/// Kept in a 0600 file beside the store, never in the database, never in git.
public struct ChainSecrets: Sendable, Equatable {
    public static let keyByteCount = 32
    public let pinPepper: [UInt8]
    public let piiKey: [UInt8]

    public init(pinPepper: [UInt8], piiKey: [UInt8]) throws {
        guard pinPepper.count == Self.keyByteCount else { throw CryptoError.badKeyLength(expected: Self.keyByteCount, got: pinPepper.count) }
        guard piiKey.count == Int(crypto_secretbox_KEYBYTES) else { throw CryptoError.badKeyLength(expected: Int(crypto_secretbox_KEYBYTES), got: piiKey.count) }
        self.pinPepper = pinPepper
        self.piiKey = piiKey
    }

    public static func generate() -> ChainSecrets {
        try! ChainSecrets(pinPepper: randomBytes(keyByteCount), piiKey: randomBytes(Int(crypto_secretbox_KEYBYTES)))
    }

    /// Seals PII with XSalsa20-Poly1305; output is nonce ‖ ciphertext.
    public func seal(_ plaintext: [UInt8]) -> [UInt8] {
        Self.seal(plaintext, key: piiKey)
    }

    private static func seal(_ plaintext: [UInt8], key: [UInt8]) -> [UInt8] {
        requireSodium()
        let nonce = randomBytes(Int(crypto_secretbox_NONCEBYTES))
        var cipher = [UInt8](repeating: 0, count: plaintext.count + Int(crypto_secretbox_MACBYTES))
        let rc = crypto_secretbox_easy(&cipher, plaintext, UInt64(plaintext.count), nonce, key)
        precondition(rc == 0, "crypto_secretbox_easy failed")
        return nonce + cipher
    }

    /// Seals with a key of its own derived from the chain's key for `purpose` (a receipt's link):
    /// nothing sealed for one purpose opens for another, so no personal data sealed in the log can
    /// pass for a link.
    public func seal(_ plaintext: [UInt8], for purpose: String) -> [UInt8] {
        Self.seal(plaintext, key: derivedKey(purpose))
    }

    public func open(_ sealed: [UInt8], for purpose: String) throws -> [UInt8] {
        try Self.open(sealed, key: derivedKey(purpose))
    }

    private func derivedKey(_ purpose: String) -> [UInt8] {
        let h = Blake2b(key: piiKey, outputLength: Int(crypto_secretbox_KEYBYTES))
        h.update("mms.derived-key.v1|\(purpose)")
        return h.finalize()
    }

    public func open(_ sealed: [UInt8]) throws -> [UInt8] {
        try Self.open(sealed, key: piiKey)
    }

    private static func open(_ sealed: [UInt8], key: [UInt8]) throws -> [UInt8] {
        requireSodium()
        let nonceCount = Int(crypto_secretbox_NONCEBYTES), macCount = Int(crypto_secretbox_MACBYTES)
        guard sealed.count >= nonceCount + macCount else { throw CryptoError.decryptionFailed }
        let nonce = Array(sealed[0..<nonceCount]), cipher = Array(sealed[nonceCount...])
        var plain = [UInt8](repeating: 0, count: cipher.count - macCount)
        guard crypto_secretbox_open_easy(&plain, cipher, UInt64(cipher.count), nonce, key) == 0 else {
            throw CryptoError.decryptionFailed
        }
        return plain
    }

    /// A keyed hash of a normalised phone number: lets a branch find a member by phone
    /// without the phone being readable from the store (a blind index).
    public func blindIndex(_ value: String) -> [UInt8] {
        let h = Blake2b(key: piiKey, outputLength: 16)
        h.update("mms.blind-index.v1")
        h.update(value)
        return h.finalize()
    }

    /// The tag of a member code (会员码) for `card` until `expires` (Unix seconds): keyed by the
    /// chain's secret, so any node checks it cut off from the rest, and no one without it can mint one.
    public func memberCodeTag(card: String, expires: UInt64) -> [UInt8] {
        let h = Blake2b(key: piiKey, outputLength: 10)
        h.update("mms.member-code.v1")
        h.update("\(card).\(expires)")
        return h.finalize()
    }

    /// Argon2id over the PIN keyed with the chain's pepper: a stolen store file alone cannot be brute-forced.
    /// Deliberately slow (~63 ms with libsodium's "interactive" limits): only at PIN entry.
    public func hashPIN(_ pin: String) throws -> String { try hash(peppered(pin, domain: "mms.pin.v1")) }

    public func verifyPIN(_ pin: String, hash: String) -> Bool { verify(peppered(pin, domain: "mms.pin.v1"), hash: hash) }

    /// An operator's password, the same way as a PIN (Argon2id keyed by the chain pepper), in its own domain.
    public func hashPassword(_ password: String) throws -> String { try hash(peppered(password, domain: "mms.password.v1")) }

    public func verifyPassword(_ password: String, hash: String) -> Bool { verify(peppered(password, domain: "mms.password.v1"), hash: hash) }

    private func hash(_ input: [UInt8]) throws -> String {
        requireSodium()
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        let rc = input.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { c in
                crypto_pwhash_str_alg(&out, c.baseAddress!, UInt64(c.count),
                                      UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE), Int(crypto_pwhash_MEMLIMIT_INTERACTIVE),
                                      crypto_pwhash_ALG_ARGON2ID13)
            }
        }
        guard rc == 0 else { throw CryptoError.hashingFailed }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func verify(_ input: [UInt8], hash: String) -> Bool {
        requireSodium()
        return input.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { c in
                crypto_pwhash_str_verify(hash, c.baseAddress!, UInt64(c.count)) == 0
            }
        }
    }

    private func peppered(_ secret: String, domain: String) -> [UInt8] {
        let h = Blake2b(key: pinPepper)
        h.update(domain)
        h.update(secret)
        return h.finalize()
    }
}
