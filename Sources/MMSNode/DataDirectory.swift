import Foundation
import MMSCore
import MMSCrypto

/// A node's data directory:
///
///     node.json       id, role, public key (public)
///     node.key        Ed25519 signing seed, hex (0600)
///     chain.secrets   PIN pepper and PII key, hex (0600) — shared by the chain's nodes, never in the database
///     store.sqlite    the replica (plus its -wal and -shm files)
///     node.sock       while `mms node run` serves it: the local command socket (`LocalCommand`)
public struct DataDirectory: Sendable {
    public let url: URL

    public init(_ path: String) { url = URL(fileURLWithPath: path, isDirectory: true) }

    /// A directory inside this one (a node's, inside a chain's data root).
    public func appending(_ name: String) -> DataDirectory { DataDirectory(url.appendingPathComponent(name).path) }

    var identityFile: URL { url.appendingPathComponent("node.json") }
    var keyFile: URL { url.appendingPathComponent("node.key") }
    var secretsFile: URL { url.appendingPathComponent("chain.secrets") }
    public var storePath: String { url.appendingPathComponent("store.sqlite").path }

    public struct Identity: Codable, Sendable {
        public let id: String
        public let role: NodeRole
        public let publicKey: String

        enum CodingKeys: String, CodingKey { case id, role, publicKey = "public_key" }
    }

    public var isInitialised: Bool { FileManager.default.fileExists(atPath: identityFile.path) }

    /// Writes a new identity, signing key and (unless given) chain secrets. Refuses an initialised directory.
    func create(id: NodeID, role: NodeRole, key: SigningKey, secrets: ChainSecrets) throws -> Identity {
        guard !isInitialised else {
            throw MMSError(.alreadyInitialised, "\(url.path) already holds a node; choose another --data directory.")
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try writeSecret(Hex.encode(key.seed), to: keyFile)
            try writeSecret(Self.encode(secrets), to: secretsFile)
            let identity = Identity(id: id.rawValue, role: role, publicKey: Hex.encode(key.publicKey.bytes))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // Written last: its presence marks a complete initialisation.
            try encoder.encode(identity).write(to: identityFile, options: .atomic)
            return identity
        } catch let error as MMSError {
            throw error
        } catch {
            throw MMSError(.storeFailure, "Cannot write the node's files in \(url.path): \(error.localizedDescription)")
        }
    }

    public func loadIdentity() throws -> Identity {
        guard isInitialised else {
            throw MMSError(.notInitialised, "No node in \(url.path). Run `mms node init --data \(url.path) --id <node id>` first.")
        }
        do { return try JSONDecoder().decode(Identity.self, from: Data(contentsOf: identityFile)) } catch {
            throw MMSError(.storeFailure, "\(identityFile.path) is not a valid node identity file.")
        }
    }

    func loadKey() throws -> SigningKey {
        guard let seed = Hex.decode(try readSecret(keyFile)), let key = try? SigningKey(seed: seed) else {
            throw MMSError(.storeFailure, "\(keyFile.path) does not hold a valid signing key.")
        }
        return key
    }

    func loadSecrets() throws -> ChainSecrets { try Self.readSecrets(from: secretsFile) }

    /// Reads a chain secrets file (e.g. to give a new node the chain's secrets).
    public static func readSecrets(from file: URL) throws -> ChainSecrets {
        let text = try readSecret(file)
        let parts = text.split(separator: "\n").map { $0.split(separator: "=", maxSplits: 1) }
        var fields: [String: [UInt8]] = [:]
        for part in parts where part.count == 2 { fields[String(part[0])] = Hex.decode(String(part[1])) }
        guard let pepper = fields["pin_pepper"], let pii = fields["pii_key"], let secrets = try? ChainSecrets(pinPepper: pepper, piiKey: pii) else {
            throw MMSError(.storeFailure, "\(file.path) is not a valid chain secrets file.")
        }
        return secrets
    }

    /// Writes a chain secrets file (0600) that `node init --chain-secrets` reads.
    public static func writeSecrets(_ secrets: ChainSecrets, to file: URL) throws {
        try DataDirectory(file.deletingLastPathComponent().path).writeSecret(encode(secrets), to: file)
    }

    /// Reads a hex op-signing seed file, as written by `writeSigningKey`.
    public static func readSigningKey(from file: URL) throws -> SigningKey {
        guard let seed = Hex.decode(try readSecret(file)), let key = try? SigningKey(seed: seed) else {
            throw MMSError(.storeFailure, "\(file.path) does not hold a valid signing key.")
        }
        return key
    }

    public static func writeSigningKey(_ key: SigningKey, to file: URL) throws {
        try DataDirectory(file.deletingLastPathComponent().path).writeSecret(Hex.encode(key.seed), to: file)
    }

    static func encode(_ secrets: ChainSecrets) -> String {
        "pin_pepper=\(Hex.encode(secrets.pinPepper))\npii_key=\(Hex.encode(secrets.piiKey))\n"
    }

    func writeSecret(_ text: String, to file: URL) throws {
        // Created 0600 before any byte is written, so the secret is never readable by others.
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw MMSError(.storeFailure, "Cannot create \(file.path).")
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(text.utf8))
        try handle.synchronize()
    }

    static func readSecret(_ file: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw MMSError(.storeFailure, "Cannot read \(file.path).")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    private func readSecret(_ file: URL) throws -> String { try Self.readSecret(file) }
}

