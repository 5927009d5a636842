import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import TestSupport

/// Attacks on connections, written against raw NIO channels so every byte is under control:
/// crafted certificate chains on new TLS connections, silent TCP connections, and slowloris.
enum AttackConnections {
    // MARK: crafted client-certificate chains

    /// `concurrency` workers, each in a loop: a new TLS connection presenting a crafted chain of
    /// `certificates` certificates, one request for `path` (authentication looks at the chain),
    /// the status read, the connection closed.
    ///
    /// - Parameter fresh: A new chain (new key, so a digest no verdict cache has seen) for every
    ///   connection; otherwise a pool of 16 chains made beforehand is cycled through (the
    ///   adapter refuses a chain over its count limit before it caches anything, so repeating
    ///   one costs it the same and the driver less).
    static func certificateChains(
        port: Int, path: String, certificates: Int, fresh: Bool, concurrency: Int, until deadline: ContinuousClock.Instant,
        tally: AttackTally, group loops: any EventLoopGroup
    ) async {
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
        let pool = fresh ? [] : (0..<16).compactMap { _ in
            try? NIOSSLContext(configuration: try AttackPKI.craftedChain(count: certificates).clientTLS())
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline) }
            for worker in 0..<max(1, concurrency) {
                group.addTask {
                    var turn = worker
                    while ContinuousClock.now < deadline, !Task.isCancelled, tally.begin() {
                        turn += 1
                        do {
                            let context = pool.isEmpty
                                ? try NIOSSLContext(configuration: try AttackPKI.craftedChain(count: certificates).clientTLS())
                                : pool[turn % pool.count]
                            let outcome = await exchange(port: port, context: context, request: request, until: deadline, group: loops)
                            tally.record(outcome)
                        } catch {
                            tally.record("chain not built: \(error)")
                        }
                    }
                }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// One request on a new TLS connection: the answer's status code, or how it failed.
    static func exchange(
        port: Int, context: NIOSSLContext, request: String, until deadline: ContinuousClock.Instant, group loops: any EventLoopGroup
    ) async -> String {
        let loop = loops.next()
        let answer = loop.makePromise(of: String.self)
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                        try channel.pipeline.syncOperations.addHandler(AttackStatusReader(answer: answer))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            channel.writeAndFlush(ByteBuffer(string: request), promise: nil)
            // Ten seconds at most, and never past the attack's end.
            let limit = min(ContinuousClock.now + .seconds(10), deadline + .milliseconds(100))
            let timedOut = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    _ = try? await answer.futureResult.get()
                    return false
                }
                group.addTask {
                    try? await Task.sleep(until: limit)
                    return !Task.isCancelled
                }
                let first = await group.next() ?? false
                if first { try? await channel.close() }
                group.cancelAll()
                return first
            }
            let outcome = (try? await answer.futureResult.get()) ?? "error"
            try? await channel.close()
            return timedOut ? (ContinuousClock.now >= deadline ? "in flight at the end" : "timeout") : outcome
        } catch {
            answer.succeed("connect: \(type(of: error))")
            return "connect: \(type(of: error))"
        }
    }

    // MARK: silent connections and slowloris

    /// `count` connections held open: plain TCP connections that never send a byte
    /// (`slowloris` false), or TLS connections that, handshake done, send a request head one
    /// byte every `byteInterval` and never finish it. A connection the adapter closes is
    /// reopened a second later, as a patient attacker would. Opening is spread over the
    /// first `ramp`.
    static func holdConnections(
        port: Int, count: Int, slowloris: Bool, byteInterval: Duration, ramp: Duration,
        until deadline: ContinuousClock.Instant, tally: AttackTally, group loops: any EventLoopGroup
    ) async {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let context = slowloris ? try? NIOSSLContext(configuration: tls) : nil
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for slot in 0..<max(1, count) {
                group.addTask {
                    try? await Task.sleep(until: start + ramp * (Double(slot) / Double(max(1, count))))
                    while ContinuousClock.now < deadline, !Task.isCancelled, tally.begin() {
                        let closedByAdapter: Bool
                        do {
                            closedByAdapter = try await holdOne(
                                port: port, tls: context, byteInterval: byteInterval, slot: slot, until: deadline, tally: tally,
                                group: loops)
                        } catch {
                            tally.record("connect: \(type(of: error))")
                            closedByAdapter = true
                        }
                        // Reopen a second later (not at once: bounded churn).
                        if closedByAdapter { try? await Task.sleep(until: min(deadline, .now + .seconds(1))) }
                    }
                }
            }
        }
    }

    /// Holds one connection until the deadline or until the adapter closes it (true).
    private static func holdOne(
        port: Int, tls: NIOSSLContext?, byteInterval: Duration, slot: Int, until deadline: ContinuousClock.Instant,
        tally: AttackTally, group loops: any EventLoopGroup
    ) async throws -> Bool {
        let channel = try await ClientBootstrap(group: loops)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil))
                    }
                    try channel.pipeline.syncOperations.addHandler(AttackDiscard())
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let opened = ContinuousClock.now
        tally.opened()
        let ended = Mutex<ContinuousClock.Instant?>(nil)
        channel.closeFuture.whenComplete { _ in ended.withLock { $0 = .now } }
        // The request head, sent a byte at a time (slowloris); it never ends.
        let head = Array("GET /apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kuard/kuard_rps HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
        var sent = 0
        // Stagger the byte clocks of the slots.
        var next = opened + byteInterval * (Double(slot % 97) / 97)
        // How often a silent slot looks whether the adapter closed it (the close time itself comes from closeFuture).
        let poll = Duration.seconds(1)
        while ContinuousClock.now < deadline, channel.isActive, !Task.isCancelled {
            if tls != nil, ContinuousClock.now >= next {
                let byte = sent < head.count ? head[sent] : UInt8(ascii: "a")
                sent += 1
                channel.writeAndFlush(ByteBuffer(bytes: [byte]), promise: nil)
                next = next + byteInterval
            }
            let wake = tls != nil ? min(next, .now + poll) : ContinuousClock.now + poll
            try? await Task.sleep(until: min(wake, deadline))
        }
        let byAdapter = !channel.isActive && ContinuousClock.now < deadline
        try? await channel.close()
        let lifetime = ((ended.withLock { $0 } ?? .now) - opened).milliseconds / 1000
        tally.closed(after: lifetime, byAdapter: byAdapter)
        tally.record(byAdapter ? "closed by the adapter" : "held to the end")
        return byAdapter
    }
}

/// Reads a response's status line, answers the promise with the code ("closed" when the
/// connection ends first, the error kind on an error), then closes the connection.
final class AttackStatusReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let answer: EventLoopPromise<String>
    private var received = ByteBuffer()

    init(answer: EventLoopPromise<String>) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
        let bytes = received.readableBytesView
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\r")) else { return }
        let line = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
        let parts = line.split(separator: " ")
        answer.succeed(parts.count >= 2 ? String(parts[1]) : "malformed")
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answer.succeed("tls: \(type(of: error))")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.succeed("closed")
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        answer.succeed("closed")
    }
}

/// Drops whatever the adapter sends (alerts, a 408) and swallows errors: the held
/// connection's end shows in its close future.
final class AttackDiscard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
