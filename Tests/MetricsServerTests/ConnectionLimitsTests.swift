import NIOCore
import Testing

@testable import MetricsServer

/// The connection-level protections against real sockets: connections that stay silent,
/// stop before a complete request header or idle after a response are closed by the
/// server, and the connection cap closes the connection past it. Every wait is on the
/// connection's close event; timeouts are short only where they are the subject.
@Suite("Connection limits", .timeLimit(.minutes(2)))
struct ConnectionLimitsTests {
    /// Long enough never to fire during a test.
    static let never: Duration = .seconds(600)

    static func limits(
        handshake: Duration? = never, readHeader: Duration? = never, idle: Duration? = never, maxConnections: Int = 0
    ) -> ServerLimits {
        ServerLimits(
            maxRequestsInFlight: 0, requestTimeout: nil, tlsHandshakeTimeout: handshake, readHeaderTimeout: readHeader,
            idleTimeout: idle, maxConnections: maxConnections)
    }

    @Test func silentTCPConnectionIsClosedAfterTheHandshakeTimeout() async throws {
        try await OverloadServer.with(.init(limits: Self.limits(handshake: .milliseconds(200)))) { server in
            let channel = try await RawConnection.tcp(port: server.port)
            try await channel.closeFuture.get()
            await server.load.waitUntil { $0.handshakeTimeouts == 1 && $0.openConnections == 0 }
            #expect(server.load.snapshot.readHeaderTimeouts == 0)
        }
    }

    @Test func connectionWithoutARequestHeaderIsClosedAfterTheReadHeaderTimeout() async throws {
        try await OverloadServer.with(.init(limits: Self.limits(readHeader: .milliseconds(200)))) { server in
            let (channel, _) = try await RawConnection.tls(port: server.port)
            try await channel.closeFuture.get()
            await server.load.waitUntil { $0.readHeaderTimeouts == 1 }
            #expect(server.load.snapshot.handshakeTimeouts == 0)
        }
    }

    @Test func incompleteRequestHeaderIsClosedAfterTheReadHeaderTimeout() async throws {
        try await OverloadServer.with(.init(limits: Self.limits(readHeader: .seconds(1)))) { server in
            let (channel, received) = try await RawConnection.tls(port: server.port)
            do {
                try await RawConnection.send("GET /readyz HTTP/1.1\r\nHost: adapter\r\nX-Slow: a", on: channel)
            } catch ChannelError.ioOnClosedChannel {
                // On a loaded machine the timeout (counted from the connection's start, so a
                // trickle cannot extend it) may fire first: the outcome checked below is the same.
            }
            try await channel.closeFuture.get()
            await server.load.waitUntil { $0.readHeaderTimeouts == 1 }
            #expect(received.text.isEmpty, "no answer to a request whose header never completed")
        }
    }

    @Test func keepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await OverloadServer.with(.init(limits: Self.limits(idle: .milliseconds(200)))) { server in
            let (channel, received) = try await RawConnection.tls(port: server.port)
            try await RawConnection.send("GET /readyz HTTP/1.1\r\nHost: adapter\r\n\r\n", on: channel)
            try await channel.closeFuture.get()
            await server.load.waitUntil { $0.idleTimeouts == 1 }
            #expect(received.text.hasPrefix("HTTP/1.1 200 OK"), "\(received.text)")
            #expect(server.load.snapshot.readHeaderTimeouts == 0)
        }
    }

    @Test func connectionPastTheCapIsClosedAtOnce() async throws {
        try await OverloadServer.with(.init(limits: Self.limits(maxConnections: 2))) { server in
            let first = try await RawConnection.tcp(port: server.port)
            let second = try await RawConnection.tcp(port: server.port)
            await server.load.waitUntil { $0.openConnections == 2 }
            let third = try await RawConnection.tcp(port: server.port)
            try await third.closeFuture.get()
            await server.load.waitUntil { $0.refusedConnections == 1 }
            #expect(first.isActive && second.isActive)
            #expect(server.load.snapshot.openConnections == 2)
            try await first.close()
            await server.load.waitUntil { $0.openConnections == 1 }
            // A slot is free again: a real request goes through.
            let reply = try await server.get("/readyz")
            #expect(reply.status == 200)
            try await second.close()
        }
    }
}
