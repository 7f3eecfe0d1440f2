import Foundation
import Hummingbird
import HummingbirdTLS
import HummingbirdCore
import Logging
import MMSCore
import NIOCore
import NIOSSL

/// The till API served over HTTPS with the node's own chain certificate, so a till trusts the
/// chain CA alone (`curl --cacert certs/<chain>/ca.pem`). Runs as a swift-service-lifecycle service.
public enum TillServer {
    public static func application(api: TillAPI, host: String, port: Int, certificateFile: String, keyFile: String,
                                   logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let tls: TLSConfiguration
        do {
            var config = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)))
            config.minimumTLSVersion = .tlsv12
            tls = config
        } catch {
            throw MMSError(.storeFailure, "Cannot load the node's certificate for the till API from \(certificateFile): \(error). Run `mms certs init`.")
        }
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: .seconds(TillAPI.Limits.idleSeconds),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: TillAPI.Limits.maxHeaderBytes, maxHeaderListSize: TillAPI.Limits.maxHeaderBytes,
                                            maxHeaderFieldCount: 100))
        return Application(
            router: api.router(),
            server: try .tls(.http1(configuration: http1), tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: nil,
                                 availableConnectionsDelegate: MaximumAvailableConnections(TillAPI.Limits.maxConnections)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
