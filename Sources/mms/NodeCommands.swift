import ArgumentParser
import Foundation
import MMSCore
import MMSNode

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Create, inspect and check a node.",
        subcommands: [Init.self, Run.self, Info.self, Trust.self, Verify.self, Rebuild.self])

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The node's id, role, key, version vector, trusted origins and state hash.")
        @OptionGroup var options: NodeOptions
        func run() throws { try perform(options) { try options.open().info() } }
    }

    struct Trust: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept ops signed by the node in another data directory (its id, role and public key).")
        @OptionGroup var options: NodeOptions
        @Option(help: "The other node's data directory.") var node: String
        func run() throws { try perform(options) { try options.open().trust(DataDirectory(node)) } }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a node identity (signing key, chain secrets) and an empty store.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The node's id, as in the topology (e.g. branch-1, hq).") var id: String
        @Option(help: "branch or hq.") var role: NodeRole = .branch
        @Option(name: .customLong("chain-secrets"), help: "Copy the chain's PIN pepper and PII key from this file (another node's chain.secrets) instead of making new ones.")
        var chainSecrets: String?

        func run() throws {
            try perform(options) {
                try LocalNode.initialise(directory: DataDirectory(options.data), id: NodeID(id), role: role, secretsFile: chainSecrets)
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every hash chain and rebuild the state from the op log: it must equal the stored state.")
        @OptionGroup var options: NodeOptions
        func run() throws { try perform(options) { try options.open().verify() } }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute the materialised state from the op log, then verify.")
        @OptionGroup var options: NodeOptions
        func run() throws {
            try perform(options) {
                let node = try options.open()
                try node.store.rebuild()
                return try node.verify()
            }
        }
    }
}

extension NodeRole: ExpressibleByArgument {}
extension CardType: ExpressibleByArgument {}
extension TenderKind: ExpressibleByArgument {}

struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "member", abstract: "Add and find members; their consent to messages.", subcommands: [Add.self, Find.self, Consent.self])

    struct Consent: ParsableCommand, ServedCommand {
        static let configuration = CommandConfiguration(abstract: "Record whether a member wants messages (reminders): --messages on or off.")
        @OptionGroup var options: NodeOptions
        @Option var member: String
        @Option(help: "on or off.") var messages: String
        func run() throws {
            try perform(options) {
                guard ["on", "off"].contains(messages) else { throw MMSError(.invalidArgument, "--messages is on or off.") }
                return try options.open().setConsent(member: member, messages: messages == "on")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a member. Name, phone and birthday are sealed at rest.")
        @OptionGroup var options: NodeOptions
        @Option var name: String
        @Option var phone: String
        @Option(help: "YYYY-MM-DD (optional).") var birthday: String = ""
        @Option(help: "The member who brought this one: their referral reward comes with this member's first payment.") var referrer: String?
        func run() throws {
            try perform(options) { try options.open().addMember(MemberProfile(name: name, phone: phone, birthday: birthday), referrer: referrer) }
        }
    }

    struct Find: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Find members by phone number (through the blind index).")
        @OptionGroup var options: NodeOptions
        @Option var phone: String
        func run() throws {
            try perform(options) { MemberList(members: try options.open().findMembers(phone: phone)) }
        }
    }
}

struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card", abstract: "Issue, replace, block and unlock cards.",
        subcommands: [Issue.self, Replace.self, Lost.self, Block.self, Unlock.self, Transfer.self, PIN.self, Return.self, Renew.self, Companion.self])

    struct Companion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A companion card (副卡) of the member's tier: its discount, not the balance; as many as the tier gives, at the member's home branch.")
        @OptionGroup var options: NodeOptions
        @Option var member: String
        @Option(help: "The companion card's number.") var number: String
        @Option var pin: String?
        func run() throws { try perform(options) { try options.open().issueCompanionCard(number: number, member: member, pin: pin, requestKey: nil) } }
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a card to a member: of a type, or as one of head office's card products (with its first top-up).")
        @OptionGroup var options: NodeOptions
        @Option(help: "The member's id (from `member add`).") var member: String
        @Option(help: "stored, discount or punch (or give --product).") var type: CardType?
        @Option(help: "A card product of the program, e.g. gold-stored.") var product: String?
        @Option(help: "A stored-value product's first top-up, e.g. 500.00.") var topup: String?
        @Option(help: "How the first top-up or the card's fee is paid: cash, bank or mobile.") var tender: TenderKind = .cash
        @Option(help: "The card number (or chip UID).") var number: String
        @Option(help: "A 4–6 digit PIN; without one the card pays without a PIN.") var pin: String?
        @Option(help: "Discount cards: percent of the price the member pays, e.g. 95.") var discount: Int64?
        @Option(help: "Punch cards: number of uses sold.") var uses: Int64?
        @Option(help: "The staff member credited with selling the card (their card commission).") var staff: String?
        func run() throws {
            if let product {
                try perform(options) {
                    guard type == nil, discount == nil, uses == nil else {
                        throw MMSError(.invalidArgument, "A card product sets its type, discount and uses: give --product or --type, not both.")
                    }
                    return try options.open().issueCard(number: number, member: member, product: product, pin: pin,
                                                        firstTopUp: try topup.map { try money($0, option: "--topup") }, tender: tender, staff: staff)
                }
                return
            }
            try perform(options) {
                guard let type, topup == nil else { throw MMSError(.invalidArgument, "Give --type (stored, discount or punch) or --product; --topup goes with --product.") }
                return try options.open().issueCard(number: number, member: member, type: type, pin: pin, discountPercent: discount, uses: uses, staff: staff)
            }
        }
    }

    struct Transfer: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move stored value from one member's card to another member's card (a manager), with the first card's PIN.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The card paying.") var from: String
        @Option(help: "The card receiving (another member's).") var to: String
        @Option(help: "e.g. 50.00.") var amount: String
        @Option var pin: String?
        @Option(name: .customLong("request-id"), help: "The till's idempotency key: a retry answers the first result.") var requestID: String?
        func run() throws {
            try perform(options) { try options.open().transferBalance(from: from, to: to, amount: try money(amount), pin: pin, requestKey: requestID,
                                                                                broker: ServingContext.current?.broker) }
        }
    }

    struct PIN: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pin", abstract: "Change a card's PIN with the old one; a manager resets it without.")
        @OptionGroup var options: NodeOptions
        @Option var card: String
        @Option(help: "The PIN now (leave out for a manager's reset).") var old: String?
        @Option(help: "The new PIN, 4–6 digits.") var new: String
        func run() throws { try perform(options) { try options.open().changePIN(card: card, old: old, new: new, requestKey: nil) } }
    }

    struct Return: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "return", abstract: "退卡: the card stops everywhere; when it is the member's last stored-value card its balance is refunded (a manager).")
        @OptionGroup var options: NodeOptions
        @Option var card: String
        @Option var pin: String?
        @Option(help: "How the refund is paid: cash (out of the drawer), bank or mobile.") var tender: TenderKind = .cash
        @Option(name: .customLong("request-id"), help: "The till's idempotency key: a retry answers the first result.") var requestID: String?
        func run() throws { try perform(options) { try options.open().returnCard(card, pin: pin, tender: tender, requestKey: requestID, broker: ServingContext.current?.broker) } }
    }

    struct Renew: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "续卡: a card with a validity runs again for its product's days.")
        @OptionGroup var options: NodeOptions
        @Option var card: String
        func run() throws { try perform(options) { try options.open().renewCard(card, requestKey: nil) } }
    }

    struct Replace: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bind a new card to the member of an old one; the old card stops paying, balances stay.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The card being replaced.") var card: String
        @Option(help: "The new card's number.") var number: String
        @Option(help: "The new card's PIN.") var pin: String?
        func run() throws { try perform(options) { try options.open().replaceCard(old: card, new: number, pin: pin) } }
    }

    struct Lost: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report a card lost: it is blocked at every branch once the news arrives, for good.")
        @OptionGroup var options: NodeOptions
        @Option var card: String
        func run() throws { try perform(options) { try options.open().reportCard(card, .lost) } }
    }

    struct Block: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Block a card everywhere, for good (replace it to go on).")
        @OptionGroup var options: NodeOptions
        @Option var card: String
        func run() throws { try perform(options) { try options.open().reportCard(card, .blocked) } }
    }

    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Clear the wrong-PIN count of a locked card.")
        @OptionGroup var options: NodeOptions
        @Option var card: String
        func run() throws { try perform(options) { try options.open().unlockPIN(card) } }
    }
}

struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "settings", abstract: "Chain settings (head office only).", subcommands: [Set.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a chain setting.",
            discussion: "Keys: \(Settings.defaults.keys.sorted().joined(separator: ", ")).")
        @OptionGroup var options: NodeOptions
        @Option var key: String
        @Option var value: String
        func run() throws { try perform(options) { try options.open().setSetting(key: key, value: value) } }
    }
}

struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pull the ops another local node holds and this one lacks (anti-entropy between two data directories).",
        discussion: "Both nodes must trust every origin involved (`mms node trust`). Over the network this is the gossip's job.")
    @OptionGroup var options: NodeOptions
    @Option(help: "The data directory of the node to pull from.") var from: String
    func run() throws {
        try perform(options) { try options.open().sync(from: LocalNode(directory: DataDirectory(from))) }
    }
}

struct RightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rights", abstract: "Escrow rights.", subcommands: [Move.self, Request.self])

    struct Move: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move part of a member's spendable stored value (or points) from this node to another, ahead of where they will shop.")
        @OptionGroup var options: NodeOptions
        @Option(help: "Any card of the member.") var card: String
        @Option(help: "The node that receives the rights.") var to: String
        @Option(help: "Stored value to move, in yuan.") var amount: String?
        @Option(help: "Points to move.") var points: Int64?
        func run() throws {
            try perform(options) {
                try options.open().moveRights(card: card, to: NodeID(to), amount: amount.map { try money($0) },
                                              points: try points.map { p in
                                                  guard p > 0, p <= Limits.maxPoints.value else { throw MMSError(.invalidAmount, "--points must be from 1 to \(Limits.maxPoints).") }
                                                  return Points(p)
                                              })
            }
        }
    }
}
