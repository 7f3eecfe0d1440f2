import CSodium
import Foundation

/// libsodium must be initialised once per process before any other call; it is idempotent and thread-safe.
let sodiumReady: Bool = sodium_init() >= 0

@inline(__always) func requireSodium() {
    precondition(sodiumReady, "libsodium failed to initialise")
}

public enum CryptoError: Error, Equatable, Sendable {
    case badKeyLength(expected: Int, got: Int)
    case decryptionFailed
    case hashingFailed
}

/// Bytes from the operating system's CSPRNG.
public func randomBytes(_ count: Int) -> [UInt8] {
    requireSodium()
    var out = [UInt8](repeating: 0, count: count)
    randombytes_buf(&out, count)
    return out
}

/// A 32-byte BLAKE2b digest: op hashes, chain links, state hashes.
public struct Digest32: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws {
        guard bytes.count == Self.byteCount else { throw CryptoError.badKeyLength(expected: Self.byteCount, got: bytes.count) }
        self.bytes = bytes
    }

    /// The link before an origin's first op.
    public static let zero = try! Digest32(bytes: [UInt8](repeating: 0, count: byteCount))

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}

/// BLAKE2b, optionally keyed. One-shot or incremental. (libsodium's state is 64-byte aligned
/// and opaque to Swift, so it lives in its own allocation.)
public final class Blake2b {
    private let state: UnsafeMutableRawPointer
    private let outputLength: Int

    public init(key: [UInt8] = [], outputLength: Int = Digest32.byteCount) {
        requireSodium()
        self.outputLength = outputLength
        state = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
        let rc = key.withUnsafeBufferPointer { k in
            crypto_generichash_init(OpaquePointer(state), k.baseAddress, k.count, outputLength)
        }
        precondition(rc == 0, "crypto_generichash_init failed")
    }

    deinit { state.deallocate() }

    public func update<Bytes: ContiguousBytes>(_ data: Bytes) {
        data.withUnsafeBytes { buf in
            _ = crypto_generichash_update(OpaquePointer(state), buf.bindMemory(to: UInt8.self).baseAddress, UInt64(buf.count))
        }
    }

    public func update(_ string: String) { update(Array(string.utf8)) }

    /// Feeds a length prefix before the bytes, so concatenated fields cannot be confused.
    public func updateField<Bytes: ContiguousBytes>(_ data: Bytes) {
        let count = data.withUnsafeBytes { $0.count }
        update(withUnsafeBytes(of: UInt64(count).littleEndian) { Array($0) })
        update(data)
    }

    /// The digest; call once.
    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: outputLength)
        let rc = crypto_generichash_final(OpaquePointer(state), &out, outputLength)
        precondition(rc == 0, "crypto_generichash_final failed")
        return out
    }

    public static func hash<Bytes: ContiguousBytes>(_ data: Bytes, key: [UInt8] = []) -> Digest32 {
        let h = Blake2b(key: key)
        h.update(data)
        return try! Digest32(bytes: h.finalize())
    }
}
