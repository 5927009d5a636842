import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Names the part types of an async channel (its generic parameters are not member types).
protocol AsyncChannelParts {
    associatedtype InboundPart
    associatedtype OutboundPart
}

extension NIOAsyncChannel: AsyncChannelParts {
    typealias InboundPart = Inbound
    typealias OutboundPart = Outbound
}

/// The part types of Hummingbird's HTTP/1 channel (NIOHTTPTypes' `HTTPRequestPart` and
/// `HTTPResponsePart`), named through the channel so no extra module is needed.
typealias HTTPRequestPart = HTTP1Channel.Value.InboundPart
typealias HTTPResponsePart = HTTP1Channel.Value.OutboundPart

/// Closes connections that make the server wait: no TLS handshake within
/// `tlsHandshakeTimeout`, no complete request head within `readHeaderTimeout`, no new
/// request within `idleTimeout` of the last response (net/http's `ReadHeaderTimeout` and
/// `IdleTimeout`, which kube-apiserver sets to 32 s and 90 s).
///
/// One deadline is armed at a time, per phase of the connection:
/// - handshaking: from the connection's start until the TLS handshake completes;
/// - awaiting a head: from the handshake, or from the first byte after a response, until a
///   complete request head is decoded (bytes trickling in do not extend it);
/// - busy: a request is being served (``RequestGuardResponder``'s timeout applies);
/// - idle: from the end of a response until the next byte arrives.
///
/// Two handlers feed it: ``TransportPhaseHandler`` right after the TLS handler (handshake
/// completion, decrypted bytes) and ``RequestPhaseHandler`` among the HTTP handlers (request
/// heads, response ends). Both run on the connection's event loop.
final class ConnectionPhases {
    private enum Phase {
        case handshaking, awaitingHead, busy, idle
    }

    private let limits: ServerLimits
    private let load: ServerLoad
    private let logger: Logger
    private var phase = Phase.handshaking
    private var requestsInProgress = 0
    /// Bytes arrived while busy (a pipelined request has started).
    private var bytesWhileBusy = false
    private var timer: Scheduled<Void>?
    private var started = false

    init(limits: ServerLimits, load: ServerLoad, logger: Logger) {
        self.limits = limits
        self.load = load
        self.logger = logger
    }

    /// The connection is active: the handshake deadline starts.
    func connectionStarted(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        arm(context, after: limits.tlsHandshakeTimeout, phase: .handshaking)
    }

    /// The TLS handshake completed: the first request head is due.
    func handshakeCompleted(_ context: ChannelHandlerContext) {
        guard phase == .handshaking else { return }
        arm(context, after: limits.readHeaderTimeout, phase: .awaitingHead)
    }

    /// Decrypted bytes arrived: after a response they start the next head's deadline.
    func bytesArrived(_ context: ChannelHandlerContext) {
        switch phase {
        case .idle: arm(context, after: limits.readHeaderTimeout, phase: .awaitingHead)
        case .busy: bytesWhileBusy = true
        case .handshaking, .awaitingHead: break
        }
    }

    /// A complete request head was decoded: no deadline while it is served.
    func requestHeadRead() {
        requestsInProgress += 1
        bytesWhileBusy = false
        disarm()
        phase = .busy
    }

    /// A response ended: the next request is awaited (idle, or its head if bytes came already).
    func responseEnded(_ context: ChannelHandlerContext) {
        requestsInProgress = max(0, requestsInProgress - 1)
        guard requestsInProgress == 0, phase == .busy else { return }
        if bytesWhileBusy {
            arm(context, after: limits.readHeaderTimeout, phase: .awaitingHead)
        } else {
            arm(context, after: limits.idleTimeout, phase: .idle)
        }
    }

    /// The connection closed or the handler left: no deadline.
    func stop() {
        disarm()
    }

    private func arm(_ context: ChannelHandlerContext, after timeout: Duration?, phase: Phase) {
        disarm()
        self.phase = phase
        guard let timeout, timeout > .zero else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) { [self] in
            timer = nil
            expire(context, phase: phase, timeout: timeout)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    private func expire(_ context: ChannelHandlerContext, phase: Phase, timeout: Duration) {
        guard self.phase == phase else { return }
        let reason: String
        switch phase {
        case .handshaking:
            load.update { $0.handshakeTimeouts += 1 }
            reason = "no TLS handshake within --tls-handshake-timeout"
        case .awaitingHead:
            load.update { $0.readHeaderTimeouts += 1 }
            reason = "no complete request header within --read-header-timeout"
        case .idle:
            load.update { $0.idleTimeouts += 1 }
            reason = "idle for --idle-timeout"
        case .busy:
            return
        }
        logger.debug("Closing connection", metadata: [
            "server.reason": "\(reason)", "server.timeout": "\(timeout)",
            "net.peer": "\(context.channel.remoteAddress?.description ?? "unknown")",
        ])
        context.close(promise: nil)
    }
}

/// Sits right after the TLS handler: starts the handshake deadline, sees the handshake
/// complete and decrypted bytes arrive. Passes everything through.
final class TransportPhaseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let phases: ConnectionPhases

    init(phases: ConnectionPhases) {
        self.phases = phases
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { phases.connectionStarted(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        phases.stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        phases.connectionStarted(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        phases.stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        phases.bytesArrived(context)
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { phases.handshakeCompleted(context) }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Sits among the HTTP handlers: sees complete request heads and response ends.
final class RequestPhaseHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let phases: ConnectionPhases

    init(phases: ConnectionPhases) {
        self.phases = phases
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { phases.requestHeadRead() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { phases.responseEnded(context) }
        context.write(data, promise: promise)
    }
}

extension ConnectionPhases {
    /// Adds the two phase handlers to a connection whose TLS and HTTP/1 handlers are in place.
    /// Must run on the channel's event loop. Does nothing when every timeout is off.
    static func install(on channel: any Channel, limits: ServerLimits, load: ServerLoad, logger: Logger) throws {
        guard limits.tlsHandshakeTimeout != nil || limits.readHeaderTimeout != nil || limits.idleTimeout != nil
        else { return }
        let pipeline = channel.pipeline.syncOperations
        let phases = ConnectionPhases(limits: limits, load: load, logger: logger)
        let tls = try pipeline.handler(type: NIOSSLServerHandler.self)
        let http = try pipeline.handler(type: HTTPConnectionStateHandler.self)
        try pipeline.addHandler(RequestPhaseHandler(phases: phases), position: .before(http))
        try pipeline.addHandler(TransportPhaseHandler(phases: phases), position: .after(tls))
    }
}
