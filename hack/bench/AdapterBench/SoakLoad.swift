import Foundation

/// The soak's load generator: `connections` workers sending the query mix, either
/// flat out (to measure the maximum rate) or paced to a fixed total rate.
struct SoakLoad: Sendable {
    /// One of the queries in the mix.
    struct Query: Sendable {
        var kind: String
        var path: String
        /// 404 is an expected answer (the alias is churned in and out).
        var mayBeAbsent: Bool
    }

    /// An answer that was not 200 (or no answer), kept for classification.
    struct Odd: Sendable {
        var sent: ContinuousClock.Instant
        var kind: String
        /// HTTP status, or nil for a transport error.
        var status: Int?
        var isStatusBody: Bool
        var error: String?
    }

    /// What one run produced.
    struct Outcome: Sendable {
        var requests = 0
        var ok = 0
        var latenciesMs: [Double] = []
        var odd: [Odd] = []
        var codes: [String: Int] = [:]

        mutating func merge(_ other: Outcome) {
            requests += other.requests
            ok += other.ok
            latenciesMs += other.latenciesMs
            odd += other.odd
            codes.merge(other.codes, uniquingKeysWith: +)
        }
    }

    /// The mix: by-name (cached), selector, external, and churned aliases, by weight.
    static let mix: [Query] = {
        let byName = Query(kind: "by-name", path: "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kuard/kuard_rps", mayBeAbsent: false)
        let selector = Query(kind: "selector", path: "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/cpu_usage?labelSelector=app%3Dweb", mayBeAbsent: false)
        let external = Query(kind: "external", path: "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_messages?labelSelector=rabbitmq.queue.name%3Dorders", mayBeAbsent: false)
        let churned = (0..<SoakChurn.files).map {
            Query(kind: "churned", path: "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kuard/churn_\($0)", mayBeAbsent: true)
        }
        return Array(repeating: byName, count: 5) + [selector, selector, external, external] + churned.prefix(1)
            + [churned[1 % churned.count]]
    }()

    let http: BenchHTTP
    let connections: Int

    /// Runs until `until`; `rate` nil means flat out, else requests per second in total.
    func run(until deadline: ContinuousClock.Instant, rate: Double?) async -> Outcome {
        let start = ContinuousClock.now
        return await withTaskGroup(of: Outcome.self) { group in
            for worker in 0..<connections {
                group.addTask {
                    await self.worker(worker, start: start, deadline: deadline, rate: rate)
                }
            }
            var total = Outcome()
            for await outcome in group { total.merge(outcome) }
            return total
        }
    }

    private func worker(_ index: Int, start: ContinuousClock.Instant, deadline: ContinuousClock.Instant, rate: Double?) async -> Outcome {
        var outcome = Outcome()
        var sequence = 0
        while true {
            if let rate {
                // Request k of worker i is due at (k·N + i) / rate: the workers interleave evenly.
                let due = start + .seconds(Double(sequence * connections + index) / rate)
                // A generator that fell behind stops at the deadline too (it never catches up by bursting).
                if due >= deadline || ContinuousClock.now >= deadline { break }
                if due > .now { try? await Task.sleep(until: due) }
            } else if ContinuousClock.now >= deadline {
                break
            }
            let query = Self.mix[(sequence &* 7 &+ index) % Self.mix.count]
            sequence += 1
            let sent = ContinuousClock.now
            outcome.requests += 1
            do {
                let answer = try await http.get(query.path, keepBody: true, timeout: .seconds(30))
                outcome.latenciesMs.append((ContinuousClock.now - sent).milliseconds)
                outcome.codes[String(answer.status), default: 0] += 1
                if answer.status == 200 {
                    outcome.ok += 1
                } else {
                    outcome.odd.append(Odd(
                        sent: sent, kind: query.kind, status: answer.status,
                        isStatusBody: answer.body.contains(#""kind":"Status""#), error: nil))
                }
            } catch {
                outcome.codes["error", default: 0] += 1
                outcome.odd.append(Odd(sent: sent, kind: query.kind, status: nil, isStatusBody: false, error: "\(error)"))
            }
        }
        return outcome
    }
}
