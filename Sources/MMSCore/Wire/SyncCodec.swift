import Foundation
import MMSCrypto
import SwiftProtobuf

/// What peers say to each other (the payload of one frame).
public enum SyncMessage: Equatable, Sendable {
    /// `clock`: the sender's clock reading (`ChainClock`); the shell stamps it on as it sends.
    /// `features`: the frames beyond the protocol's first ones the sender speaks; a node sends them
    /// only to a peer that said it does (an older node closes a link on a frame it cannot read).
    case hello(version: UInt32, node: NodeID, chain: String, clock: ClockReading? = nil, features: PeerFeatures = [])
    case vector(VersionVector, clock: ClockReading? = nil)
    case ops([SignedOp], more: Bool)
    case heartbeat(sentMillis: UInt64)
    /// Asks the receiver to move `amount` of its rights of `account` to `beneficiary` (nil: the
    /// sender). Only the head office names another node, when it relays a request.
    case rightsRequest(account: String, amount: Int64, for: NodeID?)
    /// Asks for a member's photo by its digest; answered with `photo` (sealed with the chain's key) or not at all.
    case photoRequest(member: String, digest: Digest32)
    case photo(member: String, digest: Digest32, sealed: [UInt8])

    public static let protocolVersion: UInt32 = 1

    /// The same message carrying `reading`: hellos and vectors say the sender's clock.
    public func stamped(_ reading: ClockReading) -> SyncMessage {
        switch self {
        case .hello(let version, let node, let chain, _, let features): .hello(version: version, node: node, chain: chain, clock: reading, features: features)
        case .vector(let vector, _): .vector(vector, clock: reading)
        default: self
        }
    }

    /// The sender's clock reading, if the message carries one.
    public var clock: ClockReading? {
        switch self {
        case .hello(_, _, _, let clock, _), .vector(_, let clock): clock
        default: nil
        }
    }
}

/// What a peer speaks beyond the protocol's first frames, said in its hello. Bits a node does not
/// know are kept and ignored.
public struct PeerFeatures: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `PhotoRequest` and `Photo` (members' photos, fetched on demand).
    public static let photos = PeerFeatures(rawValue: 1 << 0)
    /// Everything this build speaks.
    public static let spoken: PeerFeatures = [.photos]
}

/// Encodes sync messages and decodes them strictly: a frame from a peer that is not a valid,
/// bounded message of this version is `malformed_op`, and the connection is dropped.
public enum SyncCodec {
    public static func encode(_ message: SyncMessage) -> [UInt8] {
        var frame = Mms_Wire_Frame()
        switch message {
        case .hello(let version, let node, let chain, let clock, let features):
            var h = Mms_Wire_Hello(); h.version = version; h.node = node.rawValue; h.chain = chain; h.features = features.rawValue
            if let clock { h.clock = wire(clock) }
            frame.kind = .hello(h)
        case .vector(let vector, let clock):
            var v = Mms_Wire_Vector()
            v.entries = Dictionary(uniqueKeysWithValues: vector.entries.map { ($0.key.rawValue, $0.value) })
            if let clock { v.clock = wire(clock) }
            frame.kind = .vector(v)
        case .ops(let ops, let more):
            var b = Mms_Wire_OpsBatch()
            b.ops = ops.map { op in var e = Mms_Wire_OpEnvelope(); e.op = Data(op.bytes); e.signature = Data(op.signature); return e }
            b.more = more
            frame.kind = .ops(b)
        case .heartbeat(let sent):
            var h = Mms_Wire_Heartbeat(); h.sentMillis = sent
            frame.kind = .heartbeat(h)
        case .rightsRequest(let account, let amount, let beneficiary):
            var r = Mms_Wire_RightsRequest(); r.account = account; r.amount = amount; r.forNode = beneficiary?.rawValue ?? ""
            frame.kind = .rightsRequest(r)
        case .photoRequest(let member, let digest):
            var p = Mms_Wire_PhotoRequest(); p.member = member; p.digest = Data(digest.bytes)
            frame.kind = .photoRequest(p)
        case .photo(let member, let digest, let sealed):
            var p = Mms_Wire_Photo(); p.member = member; p.digest = Data(digest.bytes); p.sealed = Data(sealed)
            frame.kind = .photo(p)
        }
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try! frame.serializedBytes(options: options)
    }

    public static func decode(_ bytes: [UInt8], maxOps: Int = Limits.maxOpsPerBatch) throws -> SyncMessage {
        let frame: Mms_Wire_Frame
        do { frame = try Mms_Wire_Frame(serializedBytes: bytes) } catch { throw malformed("not a valid frame") }
        switch frame.kind {
        case .hello(let h)?:
            guard let node = try? NodeID(h.node) else { throw malformed("hello names no valid node") }
            guard h.chain.utf8.count <= Limits.maxIdentifierLength else { throw malformed("chain name too long") }
            return .hello(version: h.version, node: node, chain: h.chain, clock: h.hasClock ? try reading(h.clock) : nil, features: PeerFeatures(rawValue: h.features))
        case .vector(let v)?:
            guard v.entries.count <= 100_000 else { throw malformed("vector too large") }
            var vector = VersionVector()
            for (origin, seq) in v.entries {
                guard let id = try? NodeID(origin) else { throw malformed("vector names an invalid origin") }
                vector[id] = seq
            }
            return .vector(vector, clock: v.hasClock ? try reading(v.clock) : nil)
        case .ops(let b)?:
            guard b.ops.count <= maxOps else { throw MMSError(.batchTooLarge, "A peer sent \(b.ops.count) ops in one batch, over the limit of \(maxOps).") }
            let ops = try b.ops.map { e -> SignedOp in
                guard e.signature.count == 64 else { throw malformed("op signature must be 64 bytes") }
                let bytes = Array(e.op)
                return SignedOp(op: try OpCodec.decode(bytes), bytes: bytes, signature: Array(e.signature))
            }
            return .ops(ops, more: b.more)
        case .heartbeat(let h)?:
            return .heartbeat(sentMillis: h.sentMillis)
        case .rightsRequest(let r)?:
            guard (try? Identifier.validate(r.account, what: "account")) != nil else { throw malformed("rights request names no valid account") }
            guard r.amount > 0, r.amount <= Limits.maxAmount.fen else { throw malformed("rights request amount out of range") }
            if r.forNode.isEmpty { return .rightsRequest(account: r.account, amount: r.amount, for: nil) }
            guard let beneficiary = try? NodeID(r.forNode) else { throw malformed("rights request names no valid node to grant to") }
            return .rightsRequest(account: r.account, amount: r.amount, for: beneficiary)
        case .photoRequest(let p)?:
            guard (try? Identifier.validate(p.member, what: "member")) != nil, let digest = try? Digest32(bytes: Array(p.digest)) else { throw malformed("photo request") }
            return .photoRequest(member: p.member, digest: digest)
        case .photo(let p)?:
            guard (try? Identifier.validate(p.member, what: "member")) != nil, let digest = try? Digest32(bytes: Array(p.digest)),
                  (1...MemberPhotos.maxSealedBytes).contains(p.sealed.count) else { throw malformed("photo") }
            return .photo(member: p.member, digest: digest, sealed: Array(p.sealed))
        case nil:
            throw malformed("frame carries no message")
        }
    }

    private static func wire(_ reading: ClockReading) -> Mms_Wire_ClockReading {
        var w = Mms_Wire_ClockReading(); w.wallMillis = reading.wallMillis; w.chainOffsetMillis = reading.chainOffsetMillis; w.clocks = reading.clocks
        return w
    }

    /// A clock within the range of dates (years 1970–9999) and an offset within a century.
    private static func reading(_ w: Mms_Wire_ClockReading) throws -> ClockReading {
        guard w.wallMillis <= 253_402_300_799_000, w.chainOffsetMillis.magnitude <= 3_155_760_000_000, (1...100_000).contains(w.clocks) else {
            throw malformed("clock reading out of range")
        }
        return ClockReading(wallMillis: w.wallMillis, chainOffsetMillis: w.chainOffsetMillis, clocks: w.clocks)
    }

    private static func malformed(_ why: String) -> MMSError { MMSError(.malformedOp, "Malformed frame: \(why).") }
}
