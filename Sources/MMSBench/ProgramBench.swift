import Foundation
import MMSCore
import MMSNode

/// What head office's program costs: deciding a 5-line sale under the full program (a tier's
/// discount, points with a multiplier, one coupon) beside the same basket with no program, and a
/// campaign run over every member.
public struct ProgramBenchReport: Codable, Sendable {
    public let plainSale: Timing
    public let programSale: Timing
    /// How much longer the program's decision takes, as a ratio (1.0: no cost).
    public let ratio: Double
    public let campaignMembers: Int
    public let campaignSeconds: Double
    public let campaignMembersPerSecond: Double
    public let campaignOpsPerSecond: Double
    public let campaignOps: Int
}

extension Benchmarks {
    /// `program` is head office's (e.g. programs/demo.toml): it must name the card product
    /// `gold-stored`, the coupon template `CP-20OFF100` and the campaign `birthday-2026-12`.
    public static func program(_ program: Program, decisions: Int, members: Int, progress: (String) -> Void) throws -> ProgramBenchReport {
        func hq(_ name: String) throws -> LocalNode {
            let directory = DataDirectory(try temporaryDirectory(name).appendingPathComponent("hq").path)
            try LocalNode.initialise(directory: directory, id: NodeID("hq"), role: .hq)
            let node = try LocalNode(directory: directory)
            for i in 1...5 {
                _ = try node.addProduct(ProductSet(sku: "P\(i)", name: "商品\(i)", kind: .goods, category: "护肤", price: Money(fen: 1_999 * Int64(i))))
            }
            return node
        }
        let items = (1...5).map { SaleRequest.Item(sku: "P\($0)", quantity: Int64($0)) }

        progress("the plain sale: no program")
        let plain = try hq("program-plain")
        let plainCard = try prepareCard(plain, fen: 1_000_000)
        let plainRequest = SaleRequest(card: plainCard, items: items, payments: [.init(kind: .stored, amount: nil)], staff: nil)
        let plainTiming = try measure(decisions) { _ in _ = try plain.quote(plainRequest) }

        progress("the same basket under the program: gold tier, points ×1.5, a coupon")
        let node = try hq("program-full")
        _ = try node.setProgram(program)
        let member = try node.addMember(MemberProfile(name: "压测", phone: "13900000001", birthday: "1990-12-01"))
        _ = try node.issueCard(number: "G1", member: member.id, product: "gold-stored", pin: nil, firstTopUp: Money(fen: 1_000_000), tender: .cash, staff: nil)
        let coupon = try node.issueCoupon(template: "CP-20OFF100", member: member.id).code
        let request = SaleRequest(card: "G1", items: items, payments: [.init(kind: .coupon, amount: nil, reference: coupon), .init(kind: .stored, amount: nil)], staff: nil)
        let programTiming = try measure(decisions) { _ in _ = try node.quote(request) }

        progress("\(members) members for the campaign")
        for i in 0..<members {
            _ = try node.addMember(MemberProfile(name: "会员\(i)", phone: String(format: "138%08d", i), birthday: i % 12 == 11 ? "1990-12-15" : "1990-06-15"))
        }
        progress("the campaign run")
        let start = Date()
        let run = try node.runCampaign("birthday-2026-12")
        let seconds = Date().timeIntervalSince(start)
        return ProgramBenchReport(plainSale: plainTiming, programSale: programTiming, ratio: programTiming.p50Micros / max(plainTiming.p50Micros, 1e-9),
                                  campaignMembers: members + 1, campaignSeconds: seconds, campaignMembersPerSecond: Double(members + 1) / seconds,
                                  campaignOpsPerSecond: Double(run.issued) / seconds, campaignOps: run.issued)
    }
}
