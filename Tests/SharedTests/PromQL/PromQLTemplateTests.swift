import Testing

@testable import Shared

@Suite struct PromQLTemplateTests {
    static let rate = "sum by (<<.GroupBy>>) (rate(sysdig_container_net_http_request_count{<<.LabelMatchers>>}[<<.Window>>]))"

    @Test func rendersEveryPlaceholder() throws {
        let template = try PromQLTemplate.parse(Self.rate)
        #expect(template.placeholders == [.groupBy, .labelMatchers, .window])
        let text = template.render(.init(
            labelMatchers: [#"kube_namespace_name="shop""#, #"kube_pod_name="web-1""#], groupBy: ["kube_pod_name"],
            window: "1m"))
        #expect(text == #"sum by (kube_pod_name) (rate(sysdig_container_net_http_request_count{kube_namespace_name="shop",kube_pod_name="web-1"}[1m]))"#)
    }

    static let emptyCases: [(String, String)] = [
        (#"m{job="x",<<.LabelMatchers>>}"#, #"m{job="x"}"#),
        (#"m{<<.LabelMatchers>>, job="x"}"#, #"m{ job="x"}"#),
        ("m{<<.LabelMatchers>>}", "m{}"),
        ("sum by (a, <<.GroupBy>>) (m{<<.LabelMatchers>>})", "sum by (a) (m{})"),
        ("sum by (<<.GroupBy>>) (m{<<.LabelMatchers>>})", "sum by () (m{})"),
    ]

    @Test(arguments: emptyCases)
    func emptyListsDropANeighbouringComma(template: String, expected: String) throws {
        let parsed = try PromQLTemplate.parse(template)
        let text = parsed.render(.init(labelMatchers: [], groupBy: [], window: "1m"))
        #expect(text == expected)
        _ = try PromQLParser.parse(text)
    }

    static let refused: [(String, String)] = [
        ("m", "1:1: parse error: the template must use <<.LabelMatchers>> inside a selector, e.g. metric{<<.LabelMatchers>>}; without it every object would get the same value"),
        ("m{<<.Labels>>}", "1:3: parse error: unknown placeholder <<.Labels>> (known: <<.GroupBy>>, <<.LabelMatchers>>, <<.Window>>)"),
        ("sum by (<<.LabelMatchers>>) (m)", "1:9: parse error: <<.LabelMatchers>> cannot stand here (it belongs inside a selector's braces, e.g. metric{<<.LabelMatchers>>})"),
        ("m{<<.LabelMatchers>>}[<<.GroupBy>>]", "1:23: parse error: <<.GroupBy>> cannot stand here (it belongs inside by (...) or without (...))"),
        (#"m{a="<<.LabelMatchers>>"}"#, "1:1: parse error: the template must use <<.LabelMatchers>> inside a selector, e.g. metric{<<.LabelMatchers>>}; without it every object would get the same value"),
        ("m{<<.LabelMatchers>>}[1m]", "1:1: parse error: the query must return an instant vector or a scalar, not a range vector"),
        ("rate(m{<<.LabelMatchers>>}[<<.Window>>]", "1:40: parse error: unexpected end of input in call to rate; expected \",\" or \")\""),
        ("m{<<.LabelMatchers>>} <<.Window>>", "1:23: parse error: unexpected <<.Window>> after the end of the expression"),
        ("m{<<.LabelMatchers>", "1:3: parse error: unterminated placeholder: write it as <<.Name>>"),
        ("<<.LabelMatchers>>", "1:1: parse error: <<.LabelMatchers>> cannot stand here (it belongs inside a selector's braces, e.g. metric{<<.LabelMatchers>>})"),
    ]

    @Test(arguments: refused)
    func refusesMalformedTemplates(template: String, message: String) {
        #expect(throws: PromQLError.self) { _ = try PromQLTemplate.parse(template) }
        do {
            _ = try PromQLTemplate.parse(template)
        } catch {
            #expect(error.description == message)
        }
    }
}
