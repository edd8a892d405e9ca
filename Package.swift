// swift-tools-version:6.0
// SentimentKit: context-aware sentiment analysis with BERT, in Swift, on CPU.
// Each library target is one layer of the architecture (see docs/ARCHITECTURE.md).
// No unsafeFlags here: optimisation flags for our own builds live in the Makefile.
import PackageDescription

let package = Package(
    name: "SentimentKit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SentimentKit", targets: ["SentimentKit"]),
        .executable(name: "sentiment", targets: ["sentiment"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // System BLAS: OpenBLAS on Linux (Debian libopenblas-dev); Accelerate is used directly on macOS.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Vocabulary shared by every layer: label scores, the TextClassifier protocol.
        .target(name: "SentimentCore", path: "Sources/Core"),
        // Tensor type, BLAS-backed GEMM, elementwise kernels, safetensors.
        .target(
            name: "SentimentTensor",
            dependencies: [.target(name: "COpenBLAS", condition: .when(platforms: [.linux]))],
            path: "Sources/Tensor"
        ),
        // Artifact catalog (models and data sets from PyPI packages), cache, fetching, data sets and splits.
        .target(
            name: "SentimentData",
            dependencies: ["SentimentCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            path: "Sources/Data"
        ),
        // WordPiece (BERT) and byte-level BPE (RoBERTa) tokenizers, identical to Hugging Face.
        .target(name: "SentimentTokenizers", path: "Sources/Tokenizers"),
        // BERT, DistilBERT, RoBERTa encoders and heads; HF checkpoint loading.
        .target(name: "SentimentModels", dependencies: ["SentimentTensor", "SentimentTokenizers"], path: "Sources/Models"),
        // Backward passes, losses, AdamW, schedules, the trainer and checkpoints.
        .target(
            name: "SentimentTraining",
            dependencies: ["SentimentTensor", "SentimentModels", "SentimentTokenizers", "SentimentData"],
            path: "Sources/Training"
        ),
        // Bag-of-words / TF-IDF vectorisers, linear SVM, logistic regression.
        .target(name: "SentimentBaselines", dependencies: ["SentimentCore", "SentimentData"], path: "Sources/Baselines"),
        // Sentiment, fill-mask, embedding pipelines over models and tokenizers; long texts.
        .target(
            name: "SentimentPipelines",
            dependencies: [
                "SentimentCore", "SentimentData", "SentimentTokenizers", "SentimentModels", "SentimentBaselines",
                "SentimentTraining",  // DefaultModels: resolve and build the default models
            ],
            path: "Sources/Pipelines"
        ),
        // Metrics, reports, charts.
        .target(name: "SentimentEvaluation", dependencies: ["SentimentCore", "SentimentData"], path: "Sources/Evaluation"),
        // The public face: re-exports every layer.
        .target(
            name: "SentimentKit",
            dependencies: [
                "SentimentCore", "SentimentTensor", "SentimentData", "SentimentTokenizers", "SentimentModels",
                "SentimentTraining", "SentimentBaselines", "SentimentEvaluation", "SentimentPipelines",
            ],
            path: "Sources/SentimentKit"
        ),
        .executableTarget(
            name: "sentiment",
            dependencies: [
                "SentimentKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CLI"
        ),
        .testTarget(name: "TensorTests", dependencies: ["SentimentTensor"], path: "Tests/TensorTests"),
        .testTarget(
            name: "DataTests",
            dependencies: ["SentimentData", .product(name: "ZIPFoundation", package: "ZIPFoundation")],  // builds test wheels
            path: "Tests/DataTests"
        ),
        .testTarget(name: "TokenizerTests", dependencies: ["SentimentTokenizers", "SentimentData"], path: "Tests/TokenizerTests"),
        .testTarget(name: "ModelTests", dependencies: ["SentimentModels", "SentimentData"], path: "Tests/ModelTests"),
        .testTarget(name: "TrainingTests", dependencies: ["SentimentTraining"], path: "Tests/TrainingTests"),
        .testTarget(name: "BaselineTests", dependencies: ["SentimentBaselines"], path: "Tests/BaselineTests"),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["SentimentPipelines", "SentimentModels", "SentimentTokenizers", "SentimentData", "SentimentBaselines"],
            path: "Tests/PipelineTests"
        ),
        .testTarget(name: "EvaluationTests", dependencies: ["SentimentEvaluation"], path: "Tests/EvaluationTests"),
    ],
    swiftLanguageModes: [.v6]
)
