import Foundation
import MMSCore
import MMSCrypto
import MMSNode
import MMSTopology

/// The chain's other shared material, made beside its certificates by `mms certs init`:
///
///     chain.secrets        the PIN pepper and PII key every node shares (0600)
///     nodes/<id>.opkey     each node's Ed25519 op-signing seed (0600); kept across certificate rotations,
///                          since every op the node ever signed is verified with it
///     op-keys.json         every node's op-signing public key: what peers check signatures against
public enum ChainProvisioning {
    public static func ensure(topology: Topology, directory: URL) throws {
        let secrets = directory.appendingPathComponent("chain.secrets")
        if !FileManager.default.fileExists(atPath: secrets.path) {
            try DataDirectory.writeSecrets(.generate(), to: secrets)
        }
        var published = try publicKeys(in: directory)
        for node in topology.nodes {
            let file = directory.appendingPathComponent("nodes/\(node.id).opkey")
            let key: SigningKey
            if FileManager.default.fileExists(atPath: file.path) {
                key = try DataDirectory.readSigningKey(from: file)
            } else {
                key = SigningKey.generate()
                try DataDirectory.writeSigningKey(key, to: file)
            }
            published[node.id.rawValue] = Hex.encode(key.publicKey.bytes)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(published).write(to: directory.appendingPathComponent("op-keys.json"), options: .atomic)
    }

    /// The published op-signing keys, by node id.
    public static func opKeys(in directory: URL) throws -> [NodeID: SigningPublicKey] {
        var keys: [NodeID: SigningPublicKey] = [:]
        for (id, hex) in try publicKeys(in: directory) {
            guard let bytes = Hex.decode(hex), let key = try? SigningPublicKey(bytes: bytes) else {
                throw MMSError(.storeFailure, "op-keys.json holds an invalid key for \(id).")
            }
            keys[try NodeID(id)] = key
        }
        return keys
    }

    private static func publicKeys(in directory: URL) throws -> [String: String] {
        let file = directory.appendingPathComponent("op-keys.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { return [:] }
        do { return try JSONDecoder().decode([String: String].self, from: data) } catch {
            throw MMSError(.storeFailure, "\(file.path) is not a valid op-keys file.")
        }
    }
}
