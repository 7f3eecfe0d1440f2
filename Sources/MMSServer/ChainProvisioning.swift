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
    /// Opens node `id`'s data directory, making it from the chain's provisioning on first use
    /// (identity, op-signing key, chain secrets), and trusts every node of the topology. `certs
    /// init` prepares every node's directory this way, so operators can be added before `up`.
    public static func openNode(topology: Topology, id: NodeID, certificates: URL, data: DataDirectory) throws -> LocalNode {
        guard let spec = topology.node(id) else { throw MMSError(.invalidArgument, "\(id) is not a node of \(topology.file).") }
        if !data.isInitialised {
            try LocalNode.initialise(directory: data, id: id, role: spec.role,
                                     secretsFile: certificates.appendingPathComponent("chain.secrets").path,
                                     signingKey: DataDirectory.readSigningKey(from: certificates.appendingPathComponent("nodes/\(id).opkey")))
        }
        let node = try LocalNode(directory: data)
        guard node.id == id, node.role == spec.role else {
            throw MMSError(.storeFailure, "\(data.url.path) holds node \(node.id) (\(node.role)), not \(id) (\(spec.role)).")
        }
        let keys = try opKeys(in: certificates)
        for other in topology.nodes {
            guard let key = keys[other.id] else { throw MMSError(.storeFailure, "No op-signing key for \(other.id) in op-keys.json; run `mms certs init`.") }
            try node.store.trust(origin: other.id, key: key, role: other.role)
        }
        return node
    }

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
