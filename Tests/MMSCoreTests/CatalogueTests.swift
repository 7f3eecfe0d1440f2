import MMSCore
import MMSCrypto
import MMSTestSupport
import Testing

@Suite struct CatalogueTests {
    /// Two head-office operators at two branches edit the same product at once, one the price and
    /// the name, the other the price and the category; every order of applying gives one catalogue.
    @Test func concurrentEditsConvergeFieldByField() throws {
        var hq = TestNode("hq", seed: 1)
        var b1 = TestNode("branch-1", seed: 2)
        var b2 = TestNode("branch-2", seed: 3)
        let added = hq.issue(.productSet(ProductSet(sku: "PR-104", name: "精华液", kind: .goods, category: "护肤", price: Money(fen: 29_800),
                                                     barcode: "6901234567892", unit: "瓶", active: true, commission: .percent(basisPoints: 500))))
        b1.receive(added); b2.receive(added)      // both saw the product, neither saw the other's edit
        let first = b1.issue(.productSet(ProductSet(sku: "PR-104", name: "精华液 30ml", price: Money(fen: 28_800))))
        let second = b2.issue(.productSet(ProductSet(sku: "PR-104", category: "面部护理", price: Money(fen: 27_800))))
        let price = b2.issue(.priceSet(sku: "PR-104", branch: try NodeID("branch-2"), price: Money(fen: 26_800)))
        var products: [Product] = []
        for order in [[added, first, second, price], [added, price, second, first], [added, second, first, price]] {
            var state = MemoryState()
            for op in order { state.apply(op.op.deltas) }
            products.append(try #require(try Catalogue.product("PR-104", in: state)))
        }
        #expect(products.allSatisfy { $0 == products[0] })
        let p = products[0]
        // Each field is its own register: the rename and the recategorisation both hold.
        #expect(p.name == "精华液 30ml" && p.category == "面部护理" && p.barcode == "6901234567892" && p.unit == "瓶")
        let later = LWWStamp(hlc: first.op.hlc, origin: first.op.id.origin) > LWWStamp(hlc: second.op.hlc, origin: second.op.id.origin) ? first : second
        if case .productSet(let change) = later.op.body { #expect(p.price == change.price) }
        let branch1 = try NodeID("branch-1"), branch2 = try NodeID("branch-2")
        #expect(p.price(at: branch2) == Money(fen: 26_800) && p.price(at: branch1) == p.price)
    }

    @Test func badProductsAreRefusedWithReasons() throws {
        #expect(throws: MMSError.self) { try Catalogue.validateSKU("PR 104") }
        #expect(throws: MMSError.self) { try Catalogue.validateSKU(String(repeating: "A", count: 33)) }
        #expect(throws: MMSError.self) { try Catalogue.validateBarcode("6901234567891") }
        #expect(throws: MMSError.self) { try Catalogue.validateBarcode("69012345") }
        try Catalogue.validateBarcode("6901234567892")
        try Catalogue.validateBarcode("96385074")          // EAN-8
        try Catalogue.validateBarcode("036000291452")      // UPC-A
        #expect(throws: MMSError.self) { try Catalogue.price(typed: "1.234") }
        #expect(throws: MMSError.self) { try Catalogue.price(typed: "-1.00") }
        #expect(try Catalogue.price(typed: "0") == Money(fen: 0))
        #expect(try CommissionRule(parsing: "10%") == .percent(basisPoints: 1_000))
        #expect(try CommissionRule(parsing: "2.5%").description == "2.50%")
        #expect(try CommissionRule(parsing: "5.00") == .fixed(Money(fen: 500)))
        #expect(throws: MMSError.self) { try CommissionRule(parsing: "101%") }
        #expect(throws: MMSError.self) { try Catalogue.validate(ProductSet(sku: "X", name: "x"), isNew: true) }
        #expect(throws: MMSError.self) { try Catalogue.validate(ProductSet(sku: "X"), isNew: false) }
        #expect(throws: MMSError.self) { try Catalogue.validate(ProductSet(sku: "X", name: "a\u{1B}b"), isNew: false) }
    }

    @Test func catalogueOpsRoundTripAndAForgedOneIsRefused() throws {
        var node = TestNode("branch-1", seed: 4)
        for body: OpBody in [
            .productSet(ProductSet(sku: "SV-001", name: "洗剪吹", kind: .service, category: "美发", price: Money(fen: 6_800), unit: "次", active: true,
                                   commission: .fixed(Money(fen: 500)))),
            .productSet(ProductSet(sku: "SV-001", active: false)),
            .priceSet(sku: "SV-001", branch: try NodeID("branch-2"), price: Money(fen: 6_000)),
            .priceSet(sku: "SV-001", branch: try NodeID("branch-2"), price: nil),
        ] {
            let op = node.issue(body)
            #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op)) == op, "\(body.kind)")
        }
        // A product change with a bad barcode is malformed wherever it comes from.
        let forged = node.issue(.productSet(ProductSet(sku: "SV-001", barcode: "123")))
        #expect(throws: MMSError.self) { try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(forged)) }
    }
}
