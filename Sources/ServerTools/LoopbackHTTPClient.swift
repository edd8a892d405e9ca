import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP response, fully read.
public struct HTTPReply: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object (nil if it is not one).
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

public enum LoopbackHTTPError: Error, Sendable, Equatable {
    /// Only loopback addresses may be targeted (tests and benchmarks never leave the machine).
    case notLoopback(String)
    /// The server closed the connection before a whole response arrived.
    case connectionClosed
}

/// A minimal HTTP/1.1 client over SwiftNIO for the server's tests and `sentiment bench serve`: one keep-alive
/// connection per `withConnection`, requests sent one after another, raw bytes allowed (to send invalid UTF-8).
/// Refuses any host outside the loopback range.
public enum LoopbackHTTPClient {
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Open a connection, run `body` with it, close it.
    public static func withConnection<Result: Sendable>(
        host: String = "127.0.0.1", port: Int, _ body: (HTTPConnection) async throws -> Result
    ) async throws -> Result {
        guard isLoopback(host) else { throw LoopbackHTTPError.notLoopback(host) }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel
                    )
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = HTTPConnection(host: host, inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(connection)
        }
    }

    /// One request on a fresh connection.
    public static func send(
        host: String = "127.0.0.1", port: Int, method: HTTPMethod = .GET, path: String, body: [UInt8]? = nil,
        headers: [(String, String)] = []
    ) async throws -> HTTPReply {
        try await withConnection(host: host, port: port) { connection in
            try await connection.send(method: method, path: path, body: body, headers: headers)
        }
    }
}

/// A keep-alive connection; use it from one task at a time.
public final class HTTPConnection {
    private let host: String
    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

    init(
        host: String, inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    ) {
        self.host = host
        self.inbound = inbound
        self.outbound = outbound
    }

    public func send(
        method: HTTPMethod = .GET, path: String, body: [UInt8]? = nil, headers extra: [(String, String)] = []
    ) async throws -> HTTPReply {
        var headers = HTTPHeaders([("Host", host)])
        if let body {
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Content-Type", value: "application/json")
        }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
        if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
        try await outbound.write(.end(nil))

        var status = 0
        var replyHeaders: [String: String] = [:]
        var bytes: [UInt8] = []
        while let part = try await inbound.next() {
            switch part {
            case .head(let head):
                status = Int(head.status.code)
                for (name, value) in head.headers { replyHeaders[name.lowercased()] = value }
            case .body(var buffer):
                bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                return HTTPReply(status: status, headers: replyHeaders, body: bytes)
            }
        }
        throw LoopbackHTTPError.connectionClosed
    }

    /// POST a JSON value.
    public func post(_ path: String, json: Any) async throws -> HTTPReply {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await send(method: .POST, path: path, body: Array(data))
    }
}
