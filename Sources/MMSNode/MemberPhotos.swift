import Foundation
import MMSCore
import MMSCrypto

/// A member's photo recorded: the op, the digest and the size.
public struct MemberPhotoResult: Codable, Sendable, Equatable {
    public let member: String
    public let digest: String
    public let bytes: Int64
    public var op: String?
}

/// A member's photo as this node can show it: the image, none taken, or one kept by other nodes
/// (`holders`: head office and the member's home branch), to ask for.
public enum MemberPhoto: Sendable, Equatable {
    case none
    case here(image: [UInt8], kind: MemberPhotos.Kind)
    case elsewhere(digest: Digest32, holders: [NodeID])
}

extension LocalNode {
    /// Asks linked peers for a member's photo (the running server's links); whom it asked.
    public typealias PhotoFetcher = @Sendable (_ member: String, _ digest: Digest32, _ holders: [NodeID]) -> [NodeID]

    /// A member's photo taken: the image sealed and kept here, then the op naming its digest.
    /// A later photo replaces it everywhere (the register's last writer).
    public func setMemberPhoto(member: String, image: [UInt8]) throws -> MemberPhotoResult {
        try permit(.addMember)
        // Checked before anything is kept: no image is stored for a member who does not exist.
        guard try store.read({ try $0.member(member) }) != nil else {
            throw MMSError(.unknownMember, "There is no member \(member.prefix(Limits.maxIdentifierLength)).")
        }
        try MemberPhotos.validate(image)
        let digest = MemberPhotos.digest(image)
        // Kept before the op is committed: a node that records a photo always holds its image.
        try store.keepPhoto(digest: digest, sealed: secrets.seal(image), now: clock())
        let issued = try commit(decide: { teller, _ in try teller.setMemberPhoto(member: member, image: image) })
        return MemberPhotoResult(member: member, digest: digest.description, bytes: Int64(image.count), op: issued.op?.id.description)
    }

    /// The member's photo in force, if this node keeps it; if not, who does. Opening it checks
    /// its digest again: what a page shows is what the member's op names.
    public func memberPhoto(member: String) throws -> MemberPhoto {
        try permit(.lookUp)
        let (digestBytes, home) = try store.read { state in
            (try state.registers(entity: Cell.member(member))[Cell.memberPhoto], try state.member(member)?.home)
        }
        guard let digestBytes, let digest = try? Digest32(bytes: digestBytes) else { return .none }
        if let image = try keptImage(digest), let kind = MemberPhotos.kind(of: image) { return .here(image: image, kind: kind) }
        // Head office and the home branch keep it; the node that took it has it for sure.
        let holders = try store.trustedOrigins(role: .hq) + [home, try store.registerOrigin(entity: Cell.member(member), name: Cell.memberPhoto)]
            .compactMap { $0.flatMap { try? NodeID($0) } }
        return .elsewhere(digest: digest, holders: Array(Set(holders)).sorted().filter { $0 != id })
    }

    /// For a peer that asks: the sealed image with `digest`, if this node keeps it.
    public func photoToSend(digest: Digest32) throws -> [UInt8]? {
        try store.photo(digest: digest)
    }

    /// A photo a peer sent, kept only if it opens with the chain's key to an image whose digest
    /// is the member's photo in force here. False (and nothing kept) otherwise.
    @discardableResult
    public func keepSentPhoto(member: String, digest: Digest32, sealed: [UInt8]) throws -> Bool {
        let named = try store.read { try $0.registers(entity: Cell.member(member))[Cell.memberPhoto] }
        guard named == digest.bytes, let image = try? secrets.open(sealed), MemberPhotos.digest(image) == digest,
              (try? MemberPhotos.validate(image)) != nil else { return false }
        try store.keepPhoto(digest: digest, sealed: sealed, now: clock())
        return true
    }

    /// The photos this node should keep and does not yet: every member's at head office, its own
    /// members' at a branch; at most `limit`, at random, each with the node that took it.
    public func photosToFetch(limit: Int = 200) throws -> [(member: String, digest: Digest32, takenAt: NodeID?)] {
        try store.photosNotKept(home: role == .hq ? nil : id.rawValue, limit: limit).map { ($0.member, $0.digest, try? NodeID($0.origin)) }
    }

    private func keptImage(_ digest: Digest32) throws -> [UInt8]? {
        guard let sealed = try store.photo(digest: digest), let image = try? secrets.open(sealed), MemberPhotos.digest(image) == digest else { return nil }
        return image
    }
}
