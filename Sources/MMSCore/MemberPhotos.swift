import MMSCrypto

/// A member's photo (会员照片), taken at sign-up so the cashier can see who holds the card. The
/// op log carries only its digest (`member_photo_set`): a thousand branches need not each store
/// every member's face. Head office and the member's home branch keep the image; any other node
/// asks one of them when a page wants it, and keeps what it was sent only if its digest is the
/// one the member's op names. A sale never waits for a photo.
public enum MemberPhotos {
    /// A face as a till's or a phone's camera makes it, at 480 × 640 or so: under the till API's
    /// request limit with room for the form around it.
    public static let maxBytes = 56 * 1024
    /// The image sealed with the chain's key (nonce and tag added), as a peer sends it.
    public static let maxSealedBytes = maxBytes + 64

    public enum Kind: String, Sendable { case jpeg = "image/jpeg", png = "image/png" }

    /// JPEG or PNG, by the bytes it starts with (what the browser or the camera says is not trusted).
    public static func kind(of image: [UInt8]) -> Kind? {
        if image.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if image.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    /// An image fit to keep: JPEG or PNG, 1 byte to `maxBytes`.
    public static func validate(_ image: [UInt8]) throws {
        guard !image.isEmpty, image.count <= maxBytes else {
            throw MMSError(.invalidArgument, "A photo is at most \(maxBytes / 1024) KiB.", details: ["reason": "photo_too_large"])
        }
        guard kind(of: image) != nil else {
            throw MMSError(.invalidArgument, "A photo is a JPEG or PNG image.", details: ["reason": "not_an_image"])
        }
    }

    public static func digest(_ image: [UInt8]) -> Digest32 { Blake2b.hash(image) }
}

extension Teller {
    /// A member's photo taken: the image checked, its digest and size recorded.
    public func setMemberPhoto(member: String, image: [UInt8]) throws -> OpBody {
        guard try state.member(member) != nil else { throw MMSError(.unknownMember, "There is no member \(member.prefix(Limits.maxIdentifierLength)).") }
        try MemberPhotos.validate(image)
        return .memberPhotoSet(member: member, digest: MemberPhotos.digest(image), size: Int64(image.count))
    }
}
