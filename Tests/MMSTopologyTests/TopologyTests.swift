import Foundation
import MMSCore
import MMSTopology
import Testing

@Suite struct TopologyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../topology").standardized.path

    @Test func theDemoChainReads() throws {
        let t = try Topology.load(path: Self.root + "/demo.toml")
        #expect(t.chain == "demo" && t.nodes.count == 5)
        #expect(t.nodes.filter { $0.role == .hq }.map(\.id.rawValue) == ["hq"])
        #expect(Set(t.nodes.map(\.region)) == ["east", "west"])
        #expect(t.node(try NodeID("branch-1"))?.gossip == Endpoint(parsing: "127.0.0.1:7401"))
        // Region neighbours and the head office are implied; a named peer links both ways.
        #expect(t.peers(of: try NodeID("branch-3")).map(\.rawValue) == ["hq", "branch-4", "branch-2"])
        #expect(t.peers(of: try NodeID("hq")).count == 4)
        #expect(t.escrow.reserve?.rawValue == "hq" && t.escrow.homeSharePercent == 70 && t.limits.maxConnections == 64)
    }

    @Test func theFortyEightBranchChainReads() throws {
        let t = try Topology.load(path: Self.root + "/chain-48.toml")
        #expect(t.nodes.count == 49 && Set(t.nodes.map(\.region)).count == 4)
        #expect(t.peers(of: try NodeID("branch-1")).count == 14)  // hq, 11 in region, the one it names, the one naming it
        #expect(t.limits.maxFrameBytes == 1 << 20, "unset limits keep their defaults")
    }

    static let valid = """
        [chain]
        name = "t"

        [[node]]
        id = "hq"
        role = "hq"
        region = "east"
        gossip = "127.0.0.1:7400"
        api = "127.0.0.1:8400"
        admin = "127.0.0.1:9400"

        [[node]]
        id = "branch-1"
        role = "branch"
        region = "east"
        gossip = "127.0.0.1:7401"
        api = "127.0.0.1:8401"
        admin = "127.0.0.1:9401"
        peers = ["hq"]
        """

    @Test func aSmallValidFileReads() throws {
        #expect(try Topology.parse(Self.valid, file: "t.toml").nodes.count == 2)
    }

    @Test func theDailyRemindersRead() throws {
        let text = Self.valid + "\n\n[messaging]\nsender = \"hq\"\nwebhook = \"http://127.0.0.1:1/send\"\ndaily = [\"birthday:7\", \"points-expiring:30\", \"low-balance\"]\ndaily_at = \"09:30\""
        let messaging = try #require(try Topology.parse(text, file: "t.toml").messaging)
        #expect(messaging.daily.map { "\($0.kind.rawValue):\($0.days)" } == ["birthday:7", "points_expiring:30", "low_balance:7"])
        #expect(messaging.dailyAt == 9 * 60 + 30)
        // Due from 09:30 China time (01:30 UTC), once a day.
        let day = UInt64(Date(timeIntervalSince1970: 1_796_000_000).timeIntervalSince1970 / 86_400) * 86_400_000
        #expect(Messages.dailyRunDue(at: 570, now: day + 89 * 60_000, lastRun: nil) == nil)
        #expect(Messages.dailyRunDue(at: 570, now: day + 90 * 60_000, lastRun: nil) == Sales.day(wallMillis: day + 90 * 60_000))
        #expect(Messages.dailyRunDue(at: 570, now: day + 95 * 60_000, lastRun: Sales.day(wallMillis: day + 90 * 60_000)) == nil)
    }

    @Test func anAdminAddressOffLoopbackNeedsAManagementNetwork() throws {
        let text = Self.valid.replacingOccurrences(of: "admin = \"127.0.0.1:9401\"", with: "admin = \"10.1.2.3:9401\"\nadmin_network = \"management\"")
        #expect(try Topology.parse(text, file: "chain.toml").node(NodeID("branch-1"))?.admin.host == "10.1.2.3")
    }

    /// Each broken file is refused with the file, the field and the reason.
    @Test(arguments: [
        ("[chain]\nname = \"t\"\ncolour = \"red\"", "chain.colour", "unknown field"),
        ("[chian]\nname = \"t\"", "chian", "unknown field"),
        ("region = 5", "region", "unknown field"),
        ("__NODE1__\nzone = \"x\"", "node[1].zone", "unknown field"),
        ("__ID__branch-1", "node[2].id", "duplicate node id"),
        ("__GOSSIP__127.0.0.1:99999", "node branch-1.gossip", "is not host:port"),
        ("__GOSSIP__127.0.0.1", "node branch-1.gossip", "is not host:port"),
        ("__GOSSIP__300.1.1.1:7401", "node branch-1.gossip", "is not host:port"),
        ("__GOSSIP__127.0.0.1:8400", "node branch-1.gossip", "already used by node hq.api"),
        ("__PEERS__[\"branch-9\"]", "node branch-1.peers[0]", "is not a node of this topology"),
        ("__PEERS__[\"branch-1\"]", "node branch-1.peers[0]", "its own peer"),
        ("__ROLE__shop", "node branch-1.role", "is not branch or hq"),
        ("__HQROLE__", "node", "head office"),
        ("[limits]\nmax_frame_bytes = 10", "limits.max_frame_bytes", "outside"),
        ("[limits]\nmax_frame_bytes = \"big\"", "limits.max_frame_bytes", "whole number"),
        ("[escrow]\nreserve = \"branch-1\"", "escrow.reserve", "not a head-office node"),
        ("[[node]\nid = 1", "line 1, column 8", "not valid TOML"),
        ("__ADMIN__0.0.0.0:9401", "node branch-1.admin", "not a loopback address"),
        ("__ADMIN__10.1.2.3:9401\"\nadmin_network = \"open", "node branch-1.admin_network", "the only value"),
        ("[messaging]\nsender = \"hq\"\nwebhook = \"http://127.0.0.1:1/send\"\ndaily = [\"birthdays:7\"]", "messaging.daily", "is not KIND:DAYS"),
        ("[messaging]\nsender = \"hq\"\nwebhook = \"http://127.0.0.1:1/send\"\ndaily = [\"birthday:400\"]", "messaging.daily", "0 to 366"),
        ("[messaging]\nsender = \"hq\"\nwebhook = \"http://127.0.0.1:1/send\"\ndaily_at = \"25:00\"", "messaging.daily_at", "time of day"),
    ])
    func brokenFilesAreRefusedWithFieldAndReason(edit: String, field: String, reason: String) throws {
        var text = Self.valid
        if edit.hasPrefix("__NODE1__") {
            text += edit.replacingOccurrences(of: "__NODE1__", with: "")
        } else if edit.hasPrefix("__ID__") {
            text += "\n\n[[node]]\nid = \"\(edit.dropFirst(6))\"\nrole = \"branch\"\nregion = \"east\"\ngossip = \"127.0.0.1:7402\"\napi = \"127.0.0.1:8402\"\nadmin = \"127.0.0.1:9402\""
        } else if edit.hasPrefix("__GOSSIP__") {
            text = text.replacingOccurrences(of: "gossip = \"127.0.0.1:7401\"", with: "gossip = \"\(edit.dropFirst(10))\"")
        } else if edit.hasPrefix("__ADMIN__") {
            text = text.replacingOccurrences(of: "admin = \"127.0.0.1:9401\"", with: "admin = \"\(edit.dropFirst(9))\"")
        } else if edit.hasPrefix("__PEERS__") {
            text = text.replacingOccurrences(of: "peers = [\"hq\"]", with: "peers = \(edit.dropFirst(9))")
        } else if edit.hasPrefix("__ROLE__") {
            text = text.replacingOccurrences(of: "role = \"branch\"", with: "role = \"\(edit.dropFirst(8))\"")
        } else if edit == "__HQROLE__" {
            text = text.replacingOccurrences(of: "role = \"hq\"", with: "role = \"branch\"")
        } else if edit.hasPrefix("[[node]\n") {
            text = edit
        } else if edit.hasPrefix("[chain]") || edit.hasPrefix("[chian]") {
            text = text.replacingOccurrences(of: "[chain]\nname = \"t\"", with: edit)
        } else if edit.hasPrefix("region") {
            text = edit + "\n" + text
        } else {
            text += "\n\n" + edit
        }
        let error = try #require(throws: MMSError.self) { try Topology.parse(text, file: "chain.toml") }
        #expect(error.code == .invalidTopology)
        #expect(error.details["file"] == "chain.toml")
        #expect(error.details["field"] == field, "\(error.message)")
        #expect(error.details["reason"]?.contains(reason) == true, "\(error.message)")
    }

    @Test(arguments: ["127.0.0.1:1", "[::1]:7400", "shop-7.example.com:65535", "localhost:80"])
    func goodAddresses(text: String) { #expect(Endpoint(parsing: text)?.description == text) }

    @Test(arguments: ["127.0.0.1:0", "127.0.0.1:65536", ":80", "host:", "a b:80", "[::1]", "::1:80", "1.2.3:80", "-x.com:80", "127.0.0.01.1:80"])
    func badAddresses(text: String) { #expect(Endpoint(parsing: text) == nil) }
}
