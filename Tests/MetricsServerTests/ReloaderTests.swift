import Foundation
import Synchronization
import Testing

@testable import MetricsServer

/// A clock whose sleeps end only when the test calls `advance()`; each sleep is announced on `sleeps`.
final class SteppingClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let pending = Mutex<CheckedContinuation<Void, any Error>?>(nil)
    let sleeps: AsyncStream<Void>
    private let sleepsContinuation: AsyncStream<Void>.Continuation

    init() {
        (sleeps, sleepsContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    var now: Instant { Instant(offset: .zero) }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                pending.withLock { $0 = continuation }
                sleepsContinuation.yield()
            }
        } onCancel: {
            pending.withLock { $0.take() }?.resume(throwing: CancellationError())
        }
    }

    /// Ends the current sleep.
    func advance() {
        pending.withLock { $0.take() }?.resume()
    }
}

@Suite("Certificate reloader")
struct ReloaderTests {
    @Test func periodicCheckPicksUpRotatedFiles() async throws {
        let (directory, files) = try TLSServingTests.temporaryCertificateFiles("wire-reload")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try SelfSignedCertificateGenerator.generate(host: "a")
        let second = try SelfSignedCertificateGenerator.generate(host: "b")
        try TLSServingTests.write(first, to: files)
        let store = try ServingCertificateStore(files: files)
        let clock = SteppingClock()
        let reloader = ServingCertificateReloader(store: store, interval: .seconds(60), clock: clock)

        let task = Task { try await reloader.run() }
        var sleeps = clock.sleeps.makeAsyncIterator()
        await sleeps.next()
        #expect(store.current.certificateChainPEM == first.certificateChainPEM)

        try TLSServingTests.write(second, to: files)
        clock.advance()
        await sleeps.next()  // the loop checked the files and went back to sleep
        #expect(store.current.certificateChainPEM == second.certificateChainPEM)

        task.cancel()
        try await task.value
    }
}
