import ArgumentParser
import SentimentKit

@main
struct SentimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sentiment",
        abstract: "Context-aware sentiment analysis with BERT, on CPU.",
        subcommands: [
            // Each subcommand lives in its own file in Sources/CLI/Commands.
            BenchCommand.self,
            EmbedCommand.self,
            FetchCommand.self,
            ModelsCommand.self,
            TrainCommand.self,
            DistillCommand.self,
            TriageCommand.self,
            BaselineCommand.self,
            EvaluateCommand.self,
            CompareCommand.self,
            ClassifyCommand.self,
            ExplainCommand.self,
            FillMaskCommand.self,
            SetupCommand.self,
            TokenizeCommand.self,
            ServeCommand.self,
        ]
    )
}
