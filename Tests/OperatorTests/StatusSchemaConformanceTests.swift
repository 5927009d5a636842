import Foundation
@testable import Operator
import Shared
import Testing
import TestSupport

/// Every status the operator writes is one the shipped CRD accepts: the conditions
/// `MappingStatus` builds for every `MappingState` (each condition type, reason and
/// status, with and without observedGeneration and previous conditions), and
/// `status.lastQuery` for every `QueryHealthRecorder` outcome, written by the real
/// `QueryHealthWriter` through the strict test server.
@Suite(.timeLimit(.minutes(1))) struct StatusSchemaConformanceTests {
    static let now = Date(timeIntervalSince1970: 1_714_557_600)

    /// A mapping in every state the status writer reports on, and the states covered.
    static func entries() throws -> [MappingEntry] {
        func decoded(_ object: JSONValue) throws -> MetricMapping {
            guard case .success(let mapping) = MappingDecoder.decode(object, defaultNamespace: nil) else {
                throw KubeCRDSchemaError("test fixture does not decode: \(object)")
            }
            return mapping
        }
        let external = mappingObject("ext").setting(["spec", "external"], to: .bool(true))
            .setting(["spec", "objects"], to: nil)
        let mappings = try [
            mappingObject("ready"), external, mappingObject("first", metric: "cpu.used.percent")
                .setting(["spec", "metricName"], to: .string("shared")),
            mappingObject("second").setting(["spec", "metricName"], to: .string("shared")),
        ].map { (mapping: try decoded($0), origin: String?.none) }
        let broken = MappingKey(kind: .namespaced, namespace: "shop", name: "broken")
        let problems = [
            FieldProblem("spec.window", "\"15x\" is not a duration"),
            FieldProblem("spec.promql.query", String(repeating: "a very long complaint ", count: 2_000)),
        ]
        let snapshot = ConfigSnapshot.build(version: 1, mappings: mappings, invalid: [(broken, problems, nil)])
        return snapshot.entries.values.sorted { $0.key < $1.key }
    }

    /// The state's name; a new `MappingState` case does not compile until it is covered here.
    static func stateName(_ state: MappingState) -> String {
        switch state {
        case .ready: "ready"
        case .invalid: "invalid"
        case .conflicting: "conflicting"
        }
    }

    @Test func everyConditionTheOperatorWritesIsValid() throws {
        let schema = try KubeCRDSchema.shipped(.namespaced).get()
        let entries = try Self.entries()
        #expect(Set(entries.map { Self.stateName($0.state) }) == ["ready", "invalid", "conflicting"])
        var seen: Set<String> = []
        for entry in entries {
            for generation: Int64? in [nil, 1, 42] {
                let first = MappingStatus.desired(for: entry, generation: generation, previous: nil, now: Self.now)
                let flipped = first.json.setting(
                    ["conditions"],
                    to: .array(first.conditions.map { $0.json.setting(["status"], to: .string($0.status == "True" ? "False" : "True")) }))
                let again = MappingStatus.desired(for: entry, generation: generation, previous: flipped, now: Self.now)
                for status in [first, again] {
                    let object = mappingObject(entry.key.name).setting(["status"], to: status.json)
                    let errors = schema.validateStatus(object, old: nil) + schema.validate(object)
                    #expect(errors.isEmpty, "\(entry.key) (\(Self.stateName(entry.state))): \(KubeFieldError.aggregate(errors))")
                    for condition in status.conditions { seen.insert("\(condition.type)/\(condition.status)/\(condition.reason)") }
                }
            }
        }
        #expect(seen == [
            "Ready/True/Serving", "Valid/True/Valid", "Conflicting/False/NoConflict", "Ready/False/InvalidSpec",
            "Valid/False/InvalidSpec", "Ready/False/Conflict", "Conflicting/True/Conflict",
        ])
    }

    /// `MappingStatus` cuts messages to 32768 Characters; the CRD (like Go) counts code
    /// points, so a message of combining sequences is refused (bug, reported).
    @Test func messagesAreCutToWhatTheCRDCounts() throws {
        let schema = try KubeCRDSchema.shipped(.namespaced).get()
        let key = MappingKey(kind: .namespaced, namespace: "shop", name: "broken")
        let problem = FieldProblem("spec.promql.query", String(repeating: "e\u{301}", count: 20_000))
        let snapshot = ConfigSnapshot.build(version: 1, mappings: [], invalid: [(key, [problem], nil)])
        let entry = try #require(snapshot.entries[key])
        let status = MappingStatus.desired(for: entry, generation: 1, previous: nil, now: Self.now)
        let errors = schema.validateStatus(mappingObject("broken").setting(["status"], to: status.json), old: nil)
        #expect(errors.isEmpty, "\(KubeFieldError.aggregate(errors))")
    }

    /// Every outcome; a new `Outcome` case does not compile until it is listed here.
    static let outcomes: [QueryHealthRecorder.Record.Outcome] = [.ok, .noData, .failed].filter { outcome in
        switch outcome {
        case .ok, .noData, .failed: true
        }
    }

    @Test(arguments: outcomes)
    func everyLastQueryOutcomeIsWritten(_ outcome: QueryHealthRecorder.Record.Outcome) async throws {
        try await withKubeServer { client, server in
            _ = try await client.create(.sysdigMetricMappings, namespace: "shop", object: mappingObject("m"))
            let recorder = QueryHealthRecorder()
            let key = MappingKey(kind: .namespaced, namespace: "shop", name: "m")
            recorder.record(
                key,
                .init(
                    time: Self.now, outcome: outcome, value: outcome == .ok ? "1500m" : nil,
                    message: outcome == .failed ? String(repeating: "sysdig said no ", count: 200) : ""))
            await QueryHealthWriter(api: client, recorder: recorder, logger: quietLogger()).flush()
            let lastQuery = server.object(.sysdigMetricMappings, namespace: "shop", name: "m")?["status"]?["lastQuery"]
            #expect(lastQuery?["outcome"] == .string(outcome.rawValue), "the status write was refused or not made")
            #expect(lastQuery?["time"] == .string(KubeTime.format(Self.now)))
        }
    }
}
