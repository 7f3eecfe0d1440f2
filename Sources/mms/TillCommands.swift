import ArgumentParser
import Foundation
import MMSCore
import MMSNode

/// Options of a till request that changes money, points or uses.
struct TillOptions: ParsableArguments {
    @OptionGroup var node: NodeOptions
    @Option(help: "The card number.") var card: String
    @Option(name: .customLong("request-id"), help: "Idempotency key from the till: a retry with the same key is answered, not repeated.")
    var requestID: String?

    func validatedRequestID() throws -> String? {
        try requestID.map { try Identifier.validate($0, what: "request id"); return $0 }
    }
}

struct TopUp: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topup", abstract: "Add stored value to a card's member (this branch holds the new funds).")
    @OptionGroup var till: TillOptions
    @Option(help: "Amount in yuan, e.g. 100.00.") var amount: String
    @Option(help: "How it is paid: cash (into the till's drawer), bank or mobile.") var tender: TenderKind = .cash
    @Option(help: "The bank or mobile payment's reference.") var reference: String = ""
    @Option(help: "The staff member credited (their top-up commission).") var staff: String?
    func run() throws {
        try perform(till.node) {
            try till.node.open().topUp(card: till.card, amount: money(amount), tender: tender, reference: reference, staff: staff, requestKey: till.validatedRequestID())
        }
    }
}

struct Charge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pay from stored value; earns points. Refused beyond what this branch may spend.",
        discussion: "When a node is running on this data directory (`mms node run`, `mms up`) and the rights sit at other nodes, the node asks its peers (or the head office, which relays) for them, and the charge is tried again once they arrive (up to 3 s).")
    @OptionGroup var till: TillOptions
    @Option(help: "Amount in yuan, e.g. 30.00.") var amount: String
    @Option(help: "The card's PIN.") var pin: String?
    @Flag(help: "If this branch may spend less than the amount, take what it may; `unpaid` says what is left to collect.")
    var partial = false
    func run() throws {
        try perform(till.node) {
            let local = try till.node.open()
            let (amount, requestKey) = (try money(amount), try till.validatedRequestID())
            // With a node running on this directory, rights held elsewhere are asked for first;
            // a partial payment takes what is here without asking.
            if partial { return try local.charge(card: till.card, amount: amount, pin: pin, requestKey: requestKey, partial: true) }
            return try local.charge(card: till.card, amount: amount, pin: pin, requestKey: requestKey, broker: ServingContext.current?.broker)
        }
    }
}

struct Refund: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Return (part of) an earlier charge to stored value.")
    @OptionGroup var till: TillOptions
    @Option(help: "The charge's op id, e.g. branch-1/5 (from the charge's answer or `show`).") var charge: String
    @Option(help: "Amount in yuan.") var amount: String
    func run() throws {
        try perform(till.node) {
            try till.node.open().refund(card: till.card, charge: OpID(parsing: charge), amount: money(amount), requestKey: till.validatedRequestID())
        }
    }
}

struct PointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "points", abstract: "Redeem points, give them to another member; see what expires.",
                                                    subcommands: [Redeem.self, Transfer.self, Expiring.self])

    struct Transfer: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give points to another member (where the program allows it), within what this branch holds.")
        @OptionGroup var till: TillOptions
        @Option(help: "The member receiving the points.") var to: String
        @Option var points: Int64
        @Option var pin: String?
        func run() throws {
            try perform(till.node) {
                try till.node.open().transferPoints(card: till.card, to: to, points: Points(points), pin: pin, requestKey: till.validatedRequestID())
            }
        }
    }

    struct Expiring: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Members whose points expire before a day, by lot (points earned in a year expire at the end of the next, per the program).")
        @OptionGroup var options: NodeOptions
        @Option(help: "The day, e.g. 2027-01-01.") var before: String
        func run() throws { try perform(options) { try options.open().pointsExpiring(before: before) } }
    }

    struct Redeem: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Redeem points (within what this branch holds).")
        @OptionGroup var till: TillOptions
        @Option var points: Int64
        @Option var pin: String?
        func run() throws {
            try perform(till.node) {
                try till.node.open().redeemPoints(card: till.card, points: Points(points), pin: pin, requestKey: till.validatedRequestID())
            }
        }
    }
}

struct Punch: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Use a punch card.")
    @OptionGroup var till: TillOptions
    @Option var uses: Int64 = 1
    @Option(help: "The service (SKU) the uses pay for, when the card's product names several.") var service: String?
    @Option var pin: String?
    func run() throws {
        try perform(till.node) {
            try till.node.open().usePunch(card: till.card, uses: uses, service: service, pin: pin, requestKey: till.validatedRequestID())
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A card's or member's balance, points, tier, status and recent history.")
    @OptionGroup var options: NodeOptions
    @Option var card: String?
    @Option var member: String?
    @Option(help: "How many history entries to show.") var history: Int = 20

    func run() throws {
        try perform(options) {
            let node = try options.open()
            let limit = min(max(history, 0), 1_000)
            switch (card, member) {
            case (let card?, nil): return try node.show(card: card, historyLimit: limit)
            case (nil, let member?): return try node.show(member: member, historyLimit: limit)
            default: throw MMSError(.invalidArgument, "Give either --card or --member.")
            }
        }
    }
}

struct CouponCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "coupon", abstract: "Single-use coupons.", subcommands: [Issue.self, Redeem.self, Transfer.self])

    struct Transfer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an unused coupon whose template allows it to another member, with its member's card and PIN (at the node holding its use).")
        @OptionGroup var till: TillOptions
        @Option var code: String
        @Option(help: "The member receiving it.") var to: String
        @Option var pin: String?
        func run() throws {
            try perform(till.node) { try till.node.open().transferCoupon(code: code, card: till.card, to: to, pin: pin, requestKey: try till.validatedRequestID()) }
        }
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a member a single-use coupon (this node holds the right to redeem it): from a program template, or by hand.")
        @OptionGroup var options: NodeOptions
        @Option var member: String
        @Option(help: "A coupon template of the program, e.g. CP-20OFF100: its value, minimum spend and validity; the code is made.") var template: String?
        @Option(help: "The coupon's code, unique in the chain (without --template).") var code: String?
        @Option(help: "Face value in yuan; 0.00 for a coupon that is not money off.") var value: String = "0.00"
        @Option var title: String = ""
        func run() throws {
            try perform(options) {
                if let template {
                    guard code == nil else { throw MMSError(.invalidArgument, "A coupon from --template gets its code made; leave out --code.") }
                    return try options.open().issueCoupon(template: template, member: member)
                }
                guard let code else { throw MMSError(.invalidArgument, "Give --template, or --code with --value and --title.") }
                guard let amount = Money(parsing: value), amount <= Limits.maxAmount else {
                    throw MMSError(.invalidAmount, "--value “\(value.prefix(30))” is not an amount from 0.00 to \(Limits.maxAmount).")
                }
                return try options.open().issueCoupon(code: code, member: member, value: amount, title: title)
            }
        }
    }

    struct Redeem: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Use a coupon; it can be used once, anywhere.")
        @OptionGroup var options: NodeOptions
        @Option var code: String
        @Option(name: .customLong("request-id")) var requestID: String?
        func run() throws {
            try perform(options) {
                try requestID.map { try Identifier.validate($0, what: "request id") }
                return try options.open().redeemCoupon(code: code, requestKey: requestID)
            }
        }
    }
}
