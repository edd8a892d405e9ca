// swift-format-ignore-file: OrderedImports
// The umbrella module: `import SentimentKit` brings in every layer, listed bottom up (hence not sorted).
@_exported import SentimentCore
@_exported import SentimentTensor
@_exported import SentimentData
@_exported import SentimentTokenizers
@_exported import SentimentModels
@_exported import SentimentTraining
@_exported import SentimentBaselines
@_exported import SentimentEvaluation
@_exported import SentimentPipelines
