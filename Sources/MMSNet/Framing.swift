import MMSCore
import NIOCore

/// Why a peer's byte stream was refused. Each closes that connection only.
public enum FrameError: Error, Equatable, Sendable {
    /// A frame announced more bytes than the topology's `max_frame_bytes`.
    case tooLarge(announced: Int, limit: Int)
    /// The connection ended in the middle of a frame.
    case truncated(missing: Int)
}

/// Splits a byte stream into frames: a 4-byte big-endian length, then that many bytes. A length
/// over `maxFrameBytes` is refused as soon as the 4 bytes arrive, before any payload is buffered,
/// so a peer cannot make a node hold more than one frame's worth of memory.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public static let headerBytes = 4
    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard Int(length) <= maxFrameBytes else { throw FrameError.tooLarge(announced: Int(length), limit: maxFrameBytes) }
        guard buffer.readableBytes >= Self.headerBytes + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: Self.headerBytes)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let announced = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map { Int($0) + Self.headerBytes } ?? Self.headerBytes
            throw FrameError.truncated(missing: announced - buffer.readableBytes)
        }
        return .needMoreData
    }
}

/// Prefixes each outgoing frame with its length.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = ByteBuffer
    public init() {}
    public func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        out.writeInteger(UInt32(data.readableBytes))
        out.writeImmutableBuffer(data)
    }
}

/// Turns frame payloads into `SyncMessage`s and back. A payload that is not a valid message is
/// an error in the pipeline: the connection is closed, and the node goes on serving others.
public final class SyncMessageCodec: ChannelDuplexHandler, Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = SyncMessage
    public typealias OutboundIn = SyncMessage
    public typealias OutboundOut = ByteBuffer

    let maxOpsPerBatch: Int
    public init(maxOpsPerBatch: Int) { self.maxOpsPerBatch = maxOpsPerBatch }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        do {
            context.fireChannelRead(wrapInboundOut(try SyncCodec.decode(Array(payload.readableBytesView), maxOps: maxOpsPerBatch)))
        } catch {
            context.fireErrorCaught(error)
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = SyncCodec.encode(unwrapOutboundIn(data))
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: promise)
    }
}
