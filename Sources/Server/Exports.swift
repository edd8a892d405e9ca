// The model protocols the server is built against (`TextClassifier`, `FillMaskModel`, `Embedder`,
// `TokenImportanceProvider`, `LoadedModel`) live in SentimentCore; `import SentimentServer` brings them along.
@_exported import SentimentCore
