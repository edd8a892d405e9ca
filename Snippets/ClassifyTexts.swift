// Load the default sentiment model and classify a few texts; then ask for every label's score of a long text.
// snippet.classify
import SentimentKit

// A default-model name, a model trained into the cache, or an HF folder path.
let model = "sentiment-en"

// The shipped default models are LoRA adapters:
// fetch the base model they sit on once (it is cached from then on).
if let base = ModelLocator.unfetchedBase(model) {
    try ArtifactFetcher.fetch(base)
}

let classifier = try SentimentPipeline.load(model)
let texts = [
    "Great, another boring movie",
    "This is not a bad film",
    "It was good. Really, really good.",
]
// One Classification per text, in input order: best label, its score.
let results = try classifier(texts)
for (text, result) in zip(texts, results) {
    print(result.label, result.score, text)
}
// negative 0.99… Great, another boring movie
// positive 0.99… This is not a bad film
// positive 0.99… It was good. Really, really good.
// snippet.end

// snippet.options
let review = String(
    repeating: "The plot drags at times, but the acting is superb. ",
    count: 60)
let options = ClassificationOptions(
    topK: nil,  // every label, best first
    longText: .chunk(stride: 64, aggregation: .mean))
let scored = try classifier(review, options: options)
print(scored.chunks, scored.scores)  // windows scored, label scores
// snippet.end

// snippet.hide
// The Getting started article (Sources/SentimentKit/SentimentKit.docc) shows this file; `swift build` (make test)
// compiles it, so the example cannot drift from the API.
