import Testing

@testable import Shared

@Suite struct PromQLParserTests {
    static let valid: [String] = [
        "up",
        "sysdig_container_cpu_used_percent{kube_namespace_name=\"shop\"}",
        "sum by (kube_pod_name) (avg_over_time(sysdig_container_cpu_used_percent{kube_cluster_name=\"prod\",kube_namespace_name=\"shop\",kube_workload_name=\"web\"}[1m]))",
        "sum(rate(http_requests_total{job=~\"a|b\",code!~\"5..\",}[5m])) by (job)",
        "avg without (instance) (x)",
        "histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))",
        "a / on (job) group_left (team) b",
        "a > bool 3",
        "1 + 2 * 3 ^ -2",
        "-x",
        "max_over_time(rate(x[1m])[10m:30s])",
        "x offset 5m",
        "x[5m] offset 1h",
        "x @ 1700000000",
        "topk(3, x)",
        "count_values(\"value\", x)",
        "label_replace(x, \"dst\", \"$1\", \"src\", \"(.*)\")",
        "scalar(x)",
        "vector(1) or x",
        "x and y unless z",
        "{__name__=~\"sysdig_.*\"}",
        "time()",
        "clamp_min(x, 0)",
        "round(x)",
        "x # comment",
        "sum(x) * 100",
        "Inf",
    ]

    @Test(arguments: valid)
    func accepts(_ query: String) throws {
        _ = try PromQLParser.parse(query)
    }

    static let invalid: [(String, String)] = [
        ("", "1:1: parse error: the query is empty"),
        ("sum(x", "1:6: parse error: unexpected end of input in aggregation sum; expected \")\""),
        ("x{a=\"b\"", "1:8: parse error: unexpected end of input in label matching; expected \",\" or \"}\""),
        ("x{a=b}", "1:5: parse error: unexpected \"b\" in label matching; expected a string"),
        ("x{a~\"b\"}", "1:4: parse error: unexpected character \"~\""),
        ("rate(x)", "1:1: parse error: expected type range vector in call to rate, got instant vector"),
        ("rate(x[5q])", "1:8: parse error: bad number or duration syntax"),
        ("rate(x[5mm])", "1:8: parse error: bad duration syntax"),
        ("nosuch(x)", "1:1: parse error: unknown function with name \"nosuch\""),
        ("sum by (a (x)", "1:11: parse error: unexpected \"(\" in grouping labels; expected \",\" or \")\""),
        ("x[5m][5m]", "1:6: parse error: ranges only allowed for vector selectors"),
        ("sum(x)[5m]", "1:7: parse error: ranges only allowed for vector selectors"),
        ("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        ("1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        ("x y", "1:3: parse error: unexpected \"y\" after the end of the expression"),
        ("\"s\" + 1", "1:5: parse error: binary expression must contain only scalar and instant vector types"),
        ("topk(x)", "1:5: parse error: expected type scalar in call to topk, got instant vector"),
        ("topk(3)", "1:7: parse error: unexpected \")\" in aggregation topk; it takes a parameter and a vector; expected \",\""),
        ("x{a=\"\\q\"}", "1:6: parse error: unknown escape sequence \\\"q\""),
        ("round(x, 1, 2)", "1:14: parse error: expected at least 1 argument(s) in call to \"round\", got 3"),
    ]

    @Test(arguments: invalid)
    func rejectsWithAPosition(_ query: String, _ message: String) {
        do {
            _ = try PromQLParser.parse(query)
            Issue.record("accepted \(query)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func reportsLinesAndColumns() {
        #expect(throws: PromQLError(line: 2, column: 7, message: "unexpected \")\" where an expression was expected")) {
            _ = try PromQLParser.parse("sum(\n  x + )")
        }
    }

    /// Found by the `promql-template` fuzz target: ~600 nested parentheses overflowed the
    /// stack (a mapping author could crash every replica). Nesting is now bounded.
    @Test(arguments: [
        ("(", ")", "x"), ("abs(", ")", "x"), ("sum(", ")", "x"), ("-", "", "x"), ("", "^2", "2"),
    ])
    func deepNestingIsAnErrorNotACrash(open: String, close: String, inner: String) throws {
        func nested(_ depth: Int) -> String {
            String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)
        }
        _ = try PromQLParser.parse(nested(PromQLParser.maxNesting - 1))
        for depth in [PromQLParser.maxNesting, 5_000, 100_000] {
            #expect(throws: PromQLError.self) { _ = try PromQLParser.parse(nested(depth)) }
        }
        do {
            _ = try PromQLParser.parse(nested(100_000))
        } catch {
            #expect(error.message.contains("nests more than \(PromQLParser.maxNesting) levels"))
        }
    }
}
