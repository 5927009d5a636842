import Foundation
import Shared

extension SysdigSimulator {
    /// One request as the simulator received it. The `Authorization` value is kept only
    /// as `Bearer <redacted>`; `authorized` tells whether it carried the right token.
    public struct RecordedRequest: Sendable {
        /// `GET`, `POST`, ...
        public var method: String
        /// The path without the query string.
        public var path: String
        /// The raw query string, without `?`.
        public var query: String?
        /// Header names lowercased; repeated headers joined with `, `.
        public var headers: [String: String]
        /// The request body as received.
        public var body: Data
        /// When it arrived, by the simulator's clock.
        public var time: Date
        /// Whether it carried `Authorization: Bearer <the configured token>`.
        public var authorized: Bool

        /// The body parsed as a JSON object, for assertions.
        public var jsonBody: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        }
    }

    /// Something to do instead of (or before) a normal answer.
    public enum Fault: Sendable {
        /// Answer with this status and body (JSON text), optionally with `Retry-After`.
        case status(Int, body: String = #"{"message":"simulated failure"}"#, retryAfter: String? = nil)
        /// Wait this long, then answer normally (for client timeouts). Cancelled on shutdown.
        case delay(Duration)
        /// 200 with a body that is not JSON.
        case garbageBody
        /// 200 with a JSON body cut off halfway (Content-Length matches what is sent).
        case truncatedBody
        /// Close the connection without writing any response.
        case closeConnection

        /// `429 Too Many Requests` with `Retry-After: <value>`.
        public static func rateLimited(retryAfter: String) -> Fault {
            .status(429, body: #"{"message":"Too many requests"}"#, retryAfter: retryAfter)
        }
    }

    /// Every request received so far, oldest first.
    public var requests: [RecordedRequest] {
        state.withLock { $0.requests }
    }

    /// Returns once at least `count` requests have been received (all of them).
    public func waitForRequests(count: Int) async -> [RecordedRequest] {
        await withCheckedContinuation { continuation in
            let ready: [RecordedRequest]? = state.withLock { state in
                if state.requests.count >= count { return state.requests }
                state.requestWaiters.append((count, continuation))
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Queues a fault for the next request; a persistent one applies to every request
    /// until `clearFaults()`. Faults apply in the order queued.
    public func inject(_ fault: Fault, persistent: Bool = false) {
        state.withLock { $0.faults.append((fault, persistent)) }
    }

    /// Drops every queued and persistent fault.
    public func clearFaults() {
        state.withLock { $0.faults = [] }
    }

    func record(_ request: RecordedRequest) {
        let woken = state.withLock { state in
            state.requests.append(request)
            let total = state.requests.count
            let due = state.requestWaiters.filter { $0.count <= total }
            state.requestWaiters.removeAll { $0.count <= total }
            return due.map { ($0.continuation, state.requests) }
        }
        for (continuation, requests) in woken { continuation.resume(returning: requests) }
    }

    func takeFault() -> Fault? {
        state.withLock { state in
            guard let first = state.faults.first else { return nil }
            if !first.persistent { state.faults.removeFirst() }
            return first.fault
        }
    }
}
