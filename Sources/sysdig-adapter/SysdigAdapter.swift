import ArgumentParser

/// `sysdig-adapter`: lets HorizontalPodAutoscalers scale on Sysdig Monitor metrics.
@main
struct SysdigAdapter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sysdig-adapter",
        abstract: "Serve Sysdig Monitor metrics to Kubernetes HorizontalPodAutoscalers.",
        subcommands: [Serve.self, Demo.self, Validate.self, Explain.self],
        defaultSubcommand: nil)
}
