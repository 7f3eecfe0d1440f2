import Crypto
import Foundation
import MMSCore
import MMSTopology
import SwiftASN1
import X509

/// The chain's own certificate authority and the node certificates it issues. A node is its
/// certificate: the subject's common name is its topology id, and peers accept only
/// certificates that chain to this CA.
///
/// Layout under `directory` (keys 0600, never committed):
///
///     ca.pem  ca.key              the chain CA (P-256, 10 years)
///     nodes/<id>.pem  <id>.key    one per node (P-256, 2 years; server and client auth)
public struct ChainCA {
    public let directory: URL
    public let certificate: Certificate
    private let key: P256.Signing.PrivateKey

    public static let caValidity: TimeInterval = 10 * 365 * 86_400
    public static let nodeValidity: TimeInterval = 2 * 365 * 86_400
    /// Certificates are valid from a week before they are made: a branch whose clock is days
    /// behind still connects, and so hears from its peers that its clock is wrong (`ChainClock`)
    /// instead of deciding cut off by the wrong day.
    public static let clockSlack: TimeInterval = 7 * 86_400

    /// Opens the CA in `directory`, creating it (for `chain`) if there is none.
    public static func openOrCreate(directory: URL, chain: String, now: Date = Date()) throws -> (ca: ChainCA, created: Bool) {
        let certFile = directory.appendingPathComponent("ca.pem"), keyFile = directory.appendingPathComponent("ca.key")
        if FileManager.default.fileExists(atPath: certFile.path) {
            do {
                let certificate = try Certificate(pemEncoded: String(contentsOf: certFile, encoding: .utf8))
                let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOf: keyFile, encoding: .utf8))
                guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
                    throw CertsFault("\(keyFile.path) is not the key of \(certFile.path)")
                }
                return (ChainCA(directory: directory, certificate: certificate, key: key), false)
            } catch let fault as CertsFault { throw fault.error } catch {
                throw CertsFault("cannot read the chain CA in \(directory.path): \(error)").error
            }
        }
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("MMS chain \(chain)")
            CommonName("MMS chain CA \(chain)")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-Self.clockSlack), notValidAfter: now.addingTimeInterval(caValidity),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
        try write(certificate: certificate, key: key, to: certFile, keyFile: keyFile)
        return (ChainCA(directory: directory, certificate: certificate, key: key), true)
    }

    /// Issues (or re-issues, for rotation) the certificate of one node of the topology.
    @discardableResult
    public func issue(for node: NodeSpec, now: Date = Date()) throws -> Certificate {
        let key = P256.Signing.PrivateKey()
        var names: [GeneralName] = [.dnsName(node.id.rawValue)]
        for endpoint in Set([node.gossip.host, node.api.host, node.admin.host]).sorted() {
            if let ip = Self.ipBytes(endpoint) { names.append(.ipAddress(ASN1OctetString(contentBytes: ip[...]))) } else { names.append(.dnsName(endpoint)) }
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-Self.clockSlack), notValidAfter: now.addingTimeInterval(Self.nodeValidity),
            issuer: self.certificate.subject,
            subject: try DistinguishedName {
                OrganizationName("MMS chain")
                OrganizationalUnitName(node.role.rawValue)
                CommonName(node.id.rawValue)
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(self.key))
        let nodes = directory.appendingPathComponent("nodes")
        try Self.write(certificate: certificate, key: key, to: nodes.appendingPathComponent("\(node.id).pem"),
                       keyFile: nodes.appendingPathComponent("\(node.id).key"))
        return certificate
    }

    public func certificateFile(of id: NodeID) -> URL { directory.appendingPathComponent("nodes/\(id).pem") }
    public func keyFile(of id: NodeID) -> URL { directory.appendingPathComponent("nodes/\(id).key") }

    /// The topology id a certificate stands for: its subject's common name.
    public static func nodeID(of certificate: Certificate) -> String? {
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                if let name = String(attribute.value) { return name }
            }
        }
        return nil
    }

    static func ipBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Writes the key 0600 before any byte of it exists on disk, then the certificate.
    static func write(certificate: Certificate, key: P256.Signing.PrivateKey, to certFile: URL, keyFile: URL) throws {
        do {
            try FileManager.default.createDirectory(at: certFile.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try? FileManager.default.removeItem(at: keyFile)
            guard FileManager.default.createFile(atPath: keyFile.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CertsFault("cannot create \(keyFile.path)")
            }
            let handle = try FileHandle(forWritingTo: keyFile)
            try handle.write(contentsOf: Data(key.pemRepresentation.utf8))
            try handle.synchronize()
            try handle.close()
            try certificate.serializeAsPEM().pemString.write(to: certFile, atomically: true, encoding: .utf8)
        } catch let fault as CertsFault { throw fault.error } catch {
            throw CertsFault("cannot write \(certFile.path): \(error.localizedDescription)").error
        }
    }
}

struct CertsFault: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
    var error: MMSError { MMSError(.storeFailure, "Certificates: \(reason).") }
}

/// What `mms certs init` did.
public struct CertsInitResult: Codable, Sendable {
    public let directory: String
    public let caCreated: Bool
    public let issued: [String]
    public let kept: [String]
}

extension ChainCA {
    /// Makes sure the chain CA exists and every node of `topology` has a certificate from it;
    /// `rotate` re-issues those nodes' certificates (a new key each). Existing good ones are kept.
    public static func ensure(topology: Topology, directory: URL, rotate: Set<NodeID> = [], now: Date = Date()) throws -> CertsInitResult {
        for id in rotate where topology.node(id) == nil {
            throw MMSError(.invalidArgument, "\(id) is not a node of \(topology.file).")
        }
        let (ca, created) = try openOrCreate(directory: directory, chain: topology.chain, now: now)
        var issued: [String] = [], kept: [String] = []
        for node in topology.nodes {
            if !created, !rotate.contains(node.id), ca.holdsValidCertificate(for: node.id, now: now) {
                kept.append(node.id.rawValue)
            } else {
                try ca.issue(for: node, now: now)
                issued.append(node.id.rawValue)
            }
        }
        return CertsInitResult(directory: directory.path, caCreated: created, issued: issued, kept: kept)
    }

    /// True when the node's certificate is there, names `id`, was signed by this CA and is not about to expire.
    func holdsValidCertificate(for id: NodeID, now: Date) -> Bool {
        guard let text = try? String(contentsOf: certificateFile(of: id), encoding: .utf8),
              let cert = try? Certificate(pemEncoded: text),
              FileManager.default.fileExists(atPath: keyFile(of: id).path),
              Self.nodeID(of: cert) == id.rawValue, cert.issuer == certificate.subject,
              certificate.publicKey.isValidSignature(cert.signature, for: cert),
              cert.notValidAfter > now.addingTimeInterval(30 * 86_400) else { return false }
        return true
    }
}
