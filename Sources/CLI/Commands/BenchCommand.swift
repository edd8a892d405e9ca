import ArgumentParser

/// `sentiment bench …`: throughput benchmarks. Each benchmark is a subcommand in its own file.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput (GEMM, tokenizer, encoder, classification, server).",
        subcommands: [
            BenchGEMMCommand.self,
            BenchTokenizeCommand.self,
            BenchServeCommand.self,
            BenchEncoderCommand.self,
            BenchTrainStepCommand.self,
            BenchClassifyCommand.self,
            BenchBaselinesCommand.self,
        ]
    )
}
