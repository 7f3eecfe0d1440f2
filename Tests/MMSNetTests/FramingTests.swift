import MMSCore
import MMSCrypto
import MMSNet
import MMSTestSupport
import NIOCore
import NIOEmbedded
import Testing

@Suite struct FramingTests {
    func channel(maxFrameBytes: Int = 1_024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)),
            MessageToByteHandler(FrameEncoder()),
            SyncMessageCodec(maxOpsPerBatch: 16),
        ])
        return channel
    }

    func frame(_ payload: [UInt8], announcing length: Int? = nil) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeInteger(UInt32(length ?? payload.count))
        b.writeBytes(payload)
        return b
    }

    @Test func messagesRoundTripThroughThePipeline() throws {
        let channel = try channel()
        var node = TestNode("branch-1", seed: 1)
        let ops = [node.issue(Sample.memberAdded()), node.issue(Sample.storedCard())]
        let messages: [SyncMessage] = [
            .hello(version: SyncMessage.protocolVersion, node: try NodeID("branch-1"), chain: "demo"),
            .vector(VersionVector([try NodeID("branch-1"): 2, try NodeID("hq"): 7])),
            .ops(ops, more: true),
            .heartbeat(sentMillis: 42),
        ]
        for message in messages {
            try channel.writeOutbound(message)
            let bytes = try #require(try channel.readOutbound(as: ByteBuffer.self))
            try channel.writeInbound(bytes)
            #expect(try channel.readInbound(as: SyncMessage.self) == message)
        }
    }

    @Test func aFrameSplitAcrossReadsIsReassembled() throws {
        let channel = try channel()
        let whole = frame(SyncCodec.encode(.heartbeat(sentMillis: 7)))
        for byte in whole.readableBytesView {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        #expect(try channel.readInbound(as: SyncMessage.self) == .heartbeat(sentMillis: 7))
    }

    @Test func aFrameOverTheLimitIsRefusedBeforeItsPayloadArrives() throws {
        let channel = try channel(maxFrameBytes: 1_024)
        // Only the 4-byte header: the announced size alone is enough to refuse.
        #expect(throws: FrameError.tooLarge(announced: 1_025, limit: 1_024)) {
            try channel.writeInbound(frame([], announcing: 1_025))
        }
    }

    @Test func aFrameExactlyAtTheLimitIsAccepted() throws {
        let payload = SyncCodec.encode(.heartbeat(sentMillis: 1))
        let channel = try channel(maxFrameBytes: payload.count)
        try channel.writeInbound(frame(payload))
        #expect(try channel.readInbound(as: SyncMessage.self) == .heartbeat(sentMillis: 1))
    }

    @Test func garbageIsRefused() throws {
        let channel = try channel()
        #expect(throws: MMSError.self) { try channel.writeInbound(frame([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])) }
    }

    @Test func aTruncatedFrameIsRefusedAtEndOfStream() throws {
        let channel = try channel()
        var partial = frame(SyncCodec.encode(.heartbeat(sentMillis: 9)))
        partial.moveWriterIndex(to: partial.writerIndex - 2)
        try channel.writeInbound(partial)
        #expect(try channel.readInbound(as: SyncMessage.self) == nil)
        #expect(throws: FrameError.truncated(missing: 2)) { try channel.finish() }
    }

    @Test func aBatchOverTheOpLimitIsRefused() throws {
        let channel = try channel(maxFrameBytes: 1 << 20)
        var node = TestNode("branch-1", seed: 1)
        let ops = (0..<17).map { node.issue(Sample.memberAdded("branch-1.m\($0)")) }
        let error = try #require(throws: MMSError.self) { try channel.writeInbound(frame(SyncCodec.encode(.ops(ops, more: false)))) }
        #expect(error.code == .batchTooLarge)
    }
}
