import CSodium
import Foundation

/// An Ed25519 public key: the identity of an op's origin node.
public struct SigningPublicKey: Hashable, Sendable {
    public static let byteCount = Int(crypto_sign_PUBLICKEYBYTES)
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws {
        guard bytes.count == Self.byteCount else { throw CryptoError.badKeyLength(expected: Self.byteCount, got: bytes.count) }
        self.bytes = bytes
    }

    /// True when `signature` is this key's Ed25519 signature of `message`. Costs ~49 µs here: verify per batch.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        requireSodium()
        guard signature.count == Int(crypto_sign_BYTES) else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), bytes) == 0
    }
}

/// An Ed25519 secret key. Lives in the node's key file (0600), never in the database.
public struct SigningKey: Sendable {
    public static let seedByteCount = Int(crypto_sign_SEEDBYTES)
    public static let signatureByteCount = Int(crypto_sign_BYTES)
    private let secret: [UInt8]
    public let publicKey: SigningPublicKey

    /// A new key from the OS random source.
    public static func generate() -> SigningKey { try! SigningKey(seed: randomBytes(seedByteCount)) }

    /// Deterministic key from a 32-byte seed (the form kept on disk).
    public init(seed: [UInt8]) throws {
        requireSodium()
        guard seed.count == Self.seedByteCount else { throw CryptoError.badKeyLength(expected: Self.seedByteCount, got: seed.count) }
        var pk = [UInt8](repeating: 0, count: SigningPublicKey.byteCount)
        var sk = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        let rc = crypto_sign_seed_keypair(&pk, &sk, seed)
        precondition(rc == 0, "crypto_sign_seed_keypair failed")
        secret = sk
        publicKey = try SigningPublicKey(bytes: pk)
    }

    /// The 32-byte seed the key was made from (what the key file stores).
    public var seed: [UInt8] { Array(secret[0..<Self.seedByteCount]) }

    public func signature(for message: [UInt8]) -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: Self.signatureByteCount)
        let rc = crypto_sign_detached(&sig, nil, message, UInt64(message.count), secret)
        precondition(rc == 0, "crypto_sign_detached failed")
        return sig
    }
}
