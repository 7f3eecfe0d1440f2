import Foundation
import MMSCerts
import MMSCore
import MMSTopology
import Testing
import X509

@Suite struct ChainCATests {
    let demo = try! Topology.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../topology/demo.toml").standardized.path)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mms-certs-\(UUID().uuidString)")

    func certificate(_ id: String, in dir: URL? = nil) throws -> Certificate {
        try Certificate(pemEncoded: String(contentsOf: (dir ?? directory).appendingPathComponent("nodes/\(id).pem"), encoding: .utf8))
    }

    @Test func everyNodeGetsACertificateThatChainsToTheCA() async throws {
        let result = try ChainCA.ensure(topology: demo, directory: directory)
        #expect(result.caCreated && result.issued == ["hq", "branch-1", "branch-2", "branch-3", "branch-4"])
        let root = try Certificate(pemEncoded: String(contentsOf: directory.appendingPathComponent("ca.pem"), encoding: .utf8))
        for node in demo.nodes {
            let cert = try certificate(node.id.rawValue)
            #expect(ChainCA.nodeID(of: cert) == node.id.rawValue)
            var verifier = Verifier(rootCertificates: CertificateStore([root])) { RFC5280Policy(validationTime: Date()) }
            let outcome = await verifier.validate(leafCertificate: cert, intermediates: CertificateStore())
            guard case .validCertificate = outcome else { Issue.record("\(node.id) does not chain to the CA: \(outcome)"); continue }
            let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("nodes/\(node.id).key").path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        let caKeyMode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("ca.key").path)[.posixPermissions] as? Int
        #expect(caKeyMode == 0o600)
    }

    @Test func aSecondRunKeepsGoodCertificatesAndRotationReissues() throws {
        try ChainCA.ensure(topology: demo, directory: directory)
        let before = try certificate("branch-2")
        let again = try ChainCA.ensure(topology: demo, directory: directory, rotate: [try NodeID("branch-2")])
        #expect(!again.caCreated && again.issued == ["branch-2"] && again.kept.count == 4)
        let after = try certificate("branch-2")
        #expect(after.publicKey != before.publicKey && after.issuer == before.issuer)
        #expect(throws: MMSError.self) { try ChainCA.ensure(topology: demo, directory: directory, rotate: [try NodeID("branch-9")]) }
    }

    @Test func aCertificateFromAnotherCAIsReplaced() throws {
        let otherDirectory = directory.appendingPathComponent("other")
        try ChainCA.ensure(topology: demo, directory: directory)
        try ChainCA.ensure(topology: demo, directory: otherDirectory)
        // Someone copies another chain's certificate over branch-1's.
        for ext in ["pem", "key"] {
            let target = directory.appendingPathComponent("nodes/branch-1.\(ext)")
            try FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: otherDirectory.appendingPathComponent("nodes/branch-1.\(ext)"), to: target)
        }
        let result = try ChainCA.ensure(topology: demo, directory: directory)
        #expect(result.issued == ["branch-1"])
        #expect(try certificate("branch-1").issuer == certificate("hq").issuer)
    }
}
