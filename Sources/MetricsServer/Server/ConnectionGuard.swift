import HummingbirdCore
import Logging
import NIOCore

/// A connection refused because `--max-connections` connections were open.
struct ConnectionLimitReached: Error, CustomStringConvertible {
    var limit: Int
    var description: String { "\(limit) connections are open (--max-connections); connection closed" }
}

/// Wraps the server's TLS + HTTP/1 child channel with the connection-level protections:
///
/// - past `maxConnections` open connections, a new one is closed as soon as it is accepted
///   (the client sees the connection end before any TLS byte, instead of waiting in the
///   listen backlog); its handlers are never set up;
/// - ``ConnectionPhases`` closes connections that do not complete the TLS handshake, send a
///   complete request head, or send anything after a response, in time.
struct ConnectionGuardChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let limits: ServerLimits
    let load: ServerLoad
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard load.openConnection(limit: limits.maxConnections) else {
            self.logger.debug("Connection refused", metadata: [
                "server.max_connections": "\(limits.maxConnections)",
                "net.peer": "\(channel.remoteAddress?.description ?? "unknown")",
            ])
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ConnectionLimitReached(limit: limits.maxConnections))
        }
        channel.closeFuture.whenComplete { [load] _ in load.update { $0.openConnections -= 1 } }
        let (limits, load, guardLogger) = (self.limits, self.load, self.logger)
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try ConnectionPhases.install(on: channel, limits: limits, load: load, logger: guardLogger)
            return value
        }.flatMapErrorThrowing { error in
            // Nobody else closes a connection whose setup failed.
            channel.close(promise: nil)
            throw error
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
