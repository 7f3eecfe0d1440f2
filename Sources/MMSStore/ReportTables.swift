import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// The report tables (`ReportFacts` kept in SQLite): written in the transaction that applies the
/// ops, so a report never scans the op log and never disagrees with the cells it sits beside.
/// Every row carries `version`, the op-log position of the last change to it, so a mirror copies
/// only what changed since it last looked (`NodeStore.reportRows(after:)`).
struct ReportTables {
    let db: Database

    static let schema = """
        -- hour: hours since 1970-01-01 00:00 UTC (a report reads whole days in its own time zone).
        CREATE TABLE report_sales (
            hour INTEGER NOT NULL, branch TEXT NOT NULL, staff TEXT NOT NULL,
            sales INTEGER NOT NULL, amount INTEGER NOT NULL, discount INTEGER NOT NULL,
            returns INTEGER NOT NULL, returned INTEGER NOT NULL, version INTEGER NOT NULL,
            PRIMARY KEY (hour, branch, staff)) WITHOUT ROWID;
        CREATE TABLE report_products (
            hour INTEGER NOT NULL, branch TEXT NOT NULL, sku TEXT NOT NULL,
            quantity INTEGER NOT NULL, amount INTEGER NOT NULL, returned_quantity INTEGER NOT NULL, returned_amount INTEGER NOT NULL,
            version INTEGER NOT NULL, PRIMARY KEY (hour, branch, sku)) WITHOUT ROWID;
        CREATE TABLE report_money (
            hour INTEGER NOT NULL, branch TEXT NOT NULL, topups INTEGER NOT NULL, topup_count INTEGER NOT NULL, bonus INTEGER NOT NULL,
            card_refunds INTEGER NOT NULL, bonus_forfeited INTEGER NOT NULL, version INTEGER NOT NULL,
            PRIMARY KEY (hour, branch)) WITHOUT ROWID;
        CREATE TABLE report_members (
            member TEXT PRIMARY KEY, home TEXT, joined INTEGER NOT NULL, principal INTEGER NOT NULL, bonus INTEGER NOT NULL,
            spent INTEGER NOT NULL, purchases INTEGER NOT NULL, last_visit INTEGER NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX report_members_by_home ON report_members (home);
        -- (tier_spend, largest_topup, tier_points: added by the migration "v5: what tiers are decided on".)
        CREATE TABLE report_points (
            month TEXT NOT NULL, branch TEXT NOT NULL, earned INTEGER NOT NULL, redeemed INTEGER NOT NULL, version INTEGER NOT NULL,
            PRIMARY KEY (month, branch)) WITHOUT ROWID;
        CREATE TABLE report_lots (year INTEGER PRIMARY KEY, points INTEGER NOT NULL, version INTEGER NOT NULL);
        CREATE TABLE report_coupons (
            code TEXT PRIMARY KEY, template TEXT, campaign TEXT, issued_day TEXT, value INTEGER NOT NULL,
            used INTEGER NOT NULL, revenue INTEGER NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX report_coupons_by_campaign ON report_coupons (campaign) WHERE campaign IS NOT NULL;
        CREATE TABLE report_campaign_points (
            campaign TEXT PRIMARY KEY, members INTEGER NOT NULL, points INTEGER NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
        -- The outbox: one message per key in the whole chain (the earliest op of a key wins).
        CREATE TABLE outbox (
            key TEXT PRIMARY KEY, member TEXT NOT NULL, kind TEXT NOT NULL, fields TEXT NOT NULL, queued INTEGER NOT NULL,
            origin TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX outbox_by_queued ON outbox (queued);
        -- How the sending node delivered each message: node-local, never replicated, kept by a rebuild.
        CREATE TABLE outbox_delivery (
            key TEXT PRIMARY KEY, status TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt INTEGER NOT NULL,
            last_error TEXT, sent_at INTEGER) WITHOUT ROWID;
        CREATE INDEX outbox_delivery_due ON outbox_delivery (status, next_attempt);
        """

    /// The tables of the migration "v6: joins by day, tier figures by month".
    static let schemaV6 = """
        CREATE TABLE report_joins (
            day INTEGER NOT NULL, home TEXT NOT NULL, members INTEGER NOT NULL, version INTEGER NOT NULL,
            PRIMARY KEY (day, home)) WITHOUT ROWID;
        CREATE TABLE report_member_months (
            member TEXT NOT NULL, month INTEGER NOT NULL, tier_spend INTEGER NOT NULL, largest_topup INTEGER NOT NULL,
            tier_points INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (member, month)) WITHOUT ROWID;
        CREATE INDEX report_joins_by_version ON report_joins (version);
        CREATE INDEX report_member_months_by_version ON report_member_months (version);
        -- Counting members by branch, visit, join and spend reads this index, not the rows.
        DROP INDEX report_members_by_home;
        CREATE INDEX report_members_by_activity ON report_members (home, last_visit, joined, spent, purchases);
        """

    /// The migration "v7: products by day": a year's product ranking reads a row per day and
    /// product, not per hour.
    static let schemaV7 = """
        DROP TABLE report_products;
        CREATE TABLE report_product_days (
            day INTEGER NOT NULL, branch TEXT NOT NULL, sku TEXT NOT NULL,
            quantity INTEGER NOT NULL, amount INTEGER NOT NULL, returned_quantity INTEGER NOT NULL, returned_amount INTEGER NOT NULL,
            version INTEGER NOT NULL, PRIMARY KEY (day, branch, sku)) WITHOUT ROWID;
        CREATE INDEX report_product_days_by_version ON report_product_days (version);
        """

    /// The migration "v8: what each branch's members are owed, kept as it changes": the members,
    /// principal and bonus of each home branch, summed by triggers on `report_members`, so the
    /// console's home and the branches' report read a row per branch, not one per member. Derived
    /// here, never copied (a mirror and the report digest read `report_members`).
    static let schemaV8 = """
        CREATE TABLE report_homes (
            home TEXT PRIMARY KEY, members INTEGER NOT NULL, principal INTEGER NOT NULL, bonus INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TRIGGER report_homes_on_insert AFTER INSERT ON report_members BEGIN
            INSERT INTO report_homes VALUES (coalesce(NEW.home, ''), 1, NEW.principal, NEW.bonus)
            ON CONFLICT DO UPDATE SET members = members + 1, principal = principal + excluded.principal, bonus = bonus + excluded.bonus;
        END;
        CREATE TRIGGER report_homes_on_update AFTER UPDATE OF home, principal, bonus ON report_members
        WHEN OLD.home IS NOT NEW.home OR OLD.principal != NEW.principal OR OLD.bonus != NEW.bonus BEGIN
            UPDATE report_homes SET members = members - 1, principal = principal - OLD.principal, bonus = bonus - OLD.bonus WHERE home = coalesce(OLD.home, '');
            INSERT INTO report_homes VALUES (coalesce(NEW.home, ''), 1, NEW.principal, NEW.bonus)
            ON CONFLICT DO UPDATE SET members = members + 1, principal = principal + excluded.principal, bonus = bonus + excluded.bonus;
        END;
        CREATE TRIGGER report_homes_on_delete AFTER DELETE ON report_members BEGIN
            UPDATE report_homes SET members = members - 1, principal = principal - OLD.principal, bonus = bonus - OLD.bonus WHERE home = coalesce(OLD.home, '');
        END;
        INSERT INTO report_homes SELECT coalesce(home, ''), count(*), SUM(principal), SUM(bonus) FROM report_members GROUP BY 1;
        """

    /// The tables of the schema `v3`, which `v4` indexed by version.
    static let tablesV3 = ["report_sales", "report_products", "report_money", "report_members", "report_points", "report_lots",
                           "report_coupons", "report_campaign_points", "outbox"]
    static let tables = tablesV3.filter { $0 != "report_products" } + ["report_product_days", "report_joins", "report_member_months"]

    /// Adds `facts` at op-log position `version`. Each statement is its row's merge (sums, a
    /// maximum, or a value only the issuing op sets), so the order ops arrive in never matters.
    func apply(_ facts: ReportFacts, version: Int64) throws {
        let v = HotValue.int(version)
        if !facts.sales.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_sales VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET sales = sales + excluded.sales, amount = amount + excluded.amount, discount = discount + excluded.discount,
                    returns = returns + excluded.returns, returned = returned + excluded.returned, version = excluded.version
                """)
            for (k, f) in facts.sales {
                try statement.run(.int(k.hour), .text(k.branch), .text(k.staff), .int(f.sales), .int(f.amount), .int(f.discount), .int(f.returns), .int(f.returned), v)
            }
        }
        if !facts.products.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_product_days VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET quantity = quantity + excluded.quantity, amount = amount + excluded.amount,
                    returned_quantity = returned_quantity + excluded.returned_quantity, returned_amount = returned_amount + excluded.returned_amount,
                    version = excluded.version
                """)
            for (k, f) in facts.products {
                try statement.run(.int(k.day), .text(k.branch), .text(k.sku), .int(f.quantity), .int(f.amount), .int(f.returnedQuantity), .int(f.returnedAmount), v)
            }
        }
        if !facts.money.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_money VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET topups = topups + excluded.topups, topup_count = topup_count + excluded.topup_count, bonus = bonus + excluded.bonus,
                    card_refunds = card_refunds + excluded.card_refunds, bonus_forfeited = bonus_forfeited + excluded.bonus_forfeited, version = excluded.version
                """)
            for (k, f) in facts.money {
                try statement.run(.int(k.hour), .text(k.branch), .int(f.topups), .int(f.topupCount), .int(f.bonus), .int(f.cardRefunds), .int(f.bonusForfeited), v)
            }
        }
        if !facts.members.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_members (member, home, joined, principal, bonus, spent, purchases, last_visit, version,
                                            tier_spend, largest_topup, tier_points) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET home = coalesce(excluded.home, home), joined = max(joined, excluded.joined),
                    principal = principal + excluded.principal, bonus = bonus + excluded.bonus, spent = spent + excluded.spent,
                    purchases = purchases + excluded.purchases, last_visit = max(last_visit, excluded.last_visit), version = excluded.version,
                    tier_spend = tier_spend + excluded.tier_spend, largest_topup = max(largest_topup, excluded.largest_topup),
                    tier_points = tier_points + excluded.tier_points
                """)
            for (member, f) in facts.members {
                try statement.run(.text(member), f.home.map { .text($0) } ?? .null, .int(f.joined), .int(f.principal), .int(f.bonus), .int(f.spent),
                                  .int(f.purchases), .int(f.lastVisit), v, .int(f.tier.netSpend), .int(f.tier.largestTopUp), .int(f.tier.pointsEarned))
            }
        }
        if !facts.points.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_points VALUES (?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET earned = earned + excluded.earned, redeemed = redeemed + excluded.redeemed, version = excluded.version
                """)
            for (k, f) in facts.points { try statement.run(.text(k.month), .text(k.branch), .int(f.earned), .int(f.redeemed), v) }
        }
        if !facts.lots.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_lots VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET points = points + excluded.points, version = excluded.version
                """)
            for (year, points) in facts.lots { try statement.run(.int(Int64(year)), .int(points), v) }
        }
        if !facts.coupons.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_coupons VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET template = coalesce(excluded.template, template), campaign = coalesce(excluded.campaign, campaign),
                    issued_day = coalesce(excluded.issued_day, issued_day), value = max(value, excluded.value),
                    used = used + excluded.used, revenue = revenue + excluded.revenue, version = excluded.version
                """)
            for (code, f) in facts.coupons {
                func text(_ s: String?) -> HotValue { s.map { $0.isEmpty ? .null : .text($0) } ?? .null }
                try statement.run(.text(code), text(f.template), text(f.campaign), text(f.issuedDay), .int(f.value), .int(f.used), .int(f.revenue), v)
            }
        }
        if !facts.campaignPoints.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_campaign_points VALUES (?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET members = members + excluded.members, points = points + excluded.points, version = excluded.version
                """)
            for (campaign, f) in facts.campaignPoints { try statement.run(.text(campaign), .int(f.members), .int(f.points), v) }
        }
        if !facts.joins.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_joins VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET members = members + excluded.members, version = excluded.version
                """)
            for (k, members) in facts.joins { try statement.run(.int(k.day), .text(k.home), .int(members), v) }
        }
        if !facts.memberMonths.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO report_member_months VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET tier_spend = tier_spend + excluded.tier_spend, largest_topup = max(largest_topup, excluded.largest_topup),
                    tier_points = tier_points + excluded.tier_points, version = excluded.version
                """)
            for (k, f) in facts.memberMonths {
                try statement.run(.text(k.member), .int(k.month), .int(f.netSpend), .int(f.largestTopUp), .int(f.pointsEarned), v)
            }
        }
        if !facts.messages.isEmpty {
            let statement = try db.cachedStatement(sql: """
                INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET member = excluded.member, kind = excluded.kind, fields = excluded.fields, queued = excluded.queued,
                    origin = excluded.origin, version = excluded.version
                WHERE (excluded.queued, excluded.origin) < (queued, origin)
                """)
            // Every node keeps a delivery row; only the sending node ever moves it on.
            let delivery = try db.cachedStatement(sql: "INSERT OR IGNORE INTO outbox_delivery VALUES (?, 'queued', 0, 0, NULL, NULL)")
            for (key, m) in facts.messages {
                try statement.run(.text(key), .text(m.member), .text(m.kind), .text(Self.encode(m.fields)), .int(Int64(bitPattern: m.queued)), .text(m.origin), v)
                try delivery.run(.text(key))
            }
        }
    }

    func apply(ops: [Op], version: Int64) throws {
        var facts = ReportFacts()
        for op in ops { facts.add(op) }
        try apply(facts, version: version)
    }

    /// A message's fields as stored: `name=value` lines, sorted (no field holds a line break).
    static func encode(_ fields: [String: String]) -> String {
        fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.replacingOccurrences(of: "\n", with: " "))" }.joined(separator: "\n")
    }

    static func decode(_ text: String) -> [String: String] {
        Dictionary(text.split(separator: "\n").compactMap { line in line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) } },
                   uniquingKeysWith: { a, _ in a })
    }

    /// Folds every op of the log into empty report tables, a chunk of ops at a time. The tables
    /// get a new epoch: a copy of them (the PostgreSQL mirror) starts again from nothing.
    func rebuild() throws {
        for table in Self.tables { try db.execute(sql: "DELETE FROM \(table)") }
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('report_epoch', ?)", arguments: [Hex.encode(randomBytes(8))])
        let version = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM ops") ?? 0
        let cursor = try Data.fetchCursor(db, sql: "SELECT bytes FROM ops")
        var facts = ReportFacts(), count = 0
        while let bytes = try cursor.next() {
            facts.add(try OpCodec.decode(Array(bytes)))
            count += 1
            if count % 20_000 == 0 { try apply(facts, version: version); facts = ReportFacts() }
        }
        try apply(facts, version: version)
    }
}
