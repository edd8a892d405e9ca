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
        // The HTTP server is a separate product so that `SentimentKit` users do not pull in Hummingbird.
        .library(name: "SentimentServer", targets: ["SentimentServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        // Server only (SentimentServer): HTTP, logs, metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.3.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // Documentation only: `swift package generate-documentation` (make docs; docs/api.md). Links into no target.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // System BLAS: OpenBLAS on Linux (Debian libopenblas-dev); Accelerate is used directly on macOS.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Vocabulary shared by every layer: label scores, the model protocols (TextClassifier, FillMaskModel, Embedder,
        // TokenImportanceProvider, LoadedModel), input rejections, JSON strings.
        .target(name: "SentimentCore", path: "Sources/Core"),
        // Our GEMM kernels in C: fp32 / bf16 / int8 on generic, AVX2 and AVX-512 (BF16, VNNI) paths, each SIMD
        // function marked with __attribute__((target(...))) and chosen at run time (no compiler flags needed).
        .target(name: "CKernels", path: "Sources/CKernels"),
        // Tensor type, BLAS-backed GEMM, packed GEMM over CKernels, elementwise kernels, safetensors.
        .target(
            name: "SentimentTensor",
            dependencies: ["SentimentCore", "CKernels", .target(name: "COpenBLAS", condition: .when(platforms: [.linux]))],
            path: "Sources/Tensor"
        ),
        // Artifact catalog (models and data sets from PyPI packages), cache, fetching, data sets and splits, the
        // default models' names and folders.
        .target(
            name: "SentimentData",
            dependencies: ["SentimentCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            path: "Sources/Data",
            // The default models, shipped as LoRA adapters (Resources/adapters; see README "Default models").
            resources: [.copy("Resources")]
        ),
        // WordPiece (BERT) and byte-level BPE (RoBERTa) tokenizers, identical to Hugging Face.
        .target(name: "SentimentTokenizers", dependencies: ["SentimentCore"], path: "Sources/Tokenizers"),
        // BERT, DistilBERT, RoBERTa encoders and heads; HF checkpoint loading.
        // (Tokenizer output reaches the models as SentimentCore's `TokenizedInput`: no dependency on the tokenizers.)
        .target(name: "SentimentModels", dependencies: ["SentimentCore", "SentimentTensor"], path: "Sources/Models"),
        // Backward passes, losses, AdamW, schedules, the trainer and checkpoints.
        .target(
            name: "SentimentTraining",
            dependencies: ["SentimentCore", "SentimentTensor", "SentimentModels", "SentimentTokenizers", "SentimentData"],
            path: "Sources/Training",
            // Teacher logits the default recipes distil from (Resources/teacher-logits; see README "Distillation").
            resources: [.copy("Resources")]
        ),
        // Bag-of-words / TF-IDF vectorisers, linear SVM, logistic regression.
        .target(name: "SentimentBaselines", dependencies: ["SentimentCore", "SentimentData"], path: "Sources/Baselines"),
        // Metrics, reports, charts; triage and comparison over any TextClassifier.
        .target(name: "SentimentEvaluation", dependencies: ["SentimentCore", "SentimentData"], path: "Sources/Evaluation"),
        // Sentiment, fill-mask, embedding pipelines over models and tokenizers; long texts; NAME|DIR → a loaded model;
        // the compare and triage workflows (models and baselines found, trained or loaded, then SentimentEvaluation).
        // (Not SentimentTraining: building a missing default model is the CLI's call to DefaultModels.build.)
        .target(
            name: "SentimentPipelines",
            dependencies: [
                "SentimentCore", "SentimentData", "SentimentTokenizers", "SentimentModels", "SentimentBaselines", "SentimentEvaluation",
            ],
            path: "Sources/Pipelines"
        ),
        // The public face: re-exports every layer.
        .target(
            name: "SentimentKit",
            dependencies: [
                "SentimentCore", "SentimentTensor", "SentimentData", "SentimentTokenizers", "SentimentModels",
                "SentimentTraining", "SentimentBaselines", "SentimentEvaluation", "SentimentPipelines",
            ],
            path: "Sources/SentimentKit"
        ),
        // HTTP server: routes, dynamic batching, metrics, the web page and openapi.json (files in Resources/, read from
        // the bundle). Built against SentimentCore's model protocols, not models.
        .target(
            name: "SentimentServer",
            dependencies: [
                "SentimentCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Sources/Server",
            resources: [.copy("Resources")]
        ),
        // Beside the server, not part of its product: the demo models (`serve --demo`), the loopback HTTP client and
        // the load generator (`bench serve`), for the CLI and the tests.
        .target(
            name: "SentimentServerTools",
            dependencies: [
                "SentimentCore", "SentimentServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/ServerTools"
        ),
        .executableTarget(
            name: "sentiment",
            dependencies: [
                "SentimentKit",
                "SentimentServer",
                "SentimentServerTools",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),  // serve's logger
            ],
            path: "Sources/CLI"
        ),
        .testTarget(name: "TensorTests", dependencies: ["SentimentCore", "SentimentTensor"], path: "Tests/TensorTests"),
        .testTarget(
            name: "DataTests",
            dependencies: ["SentimentData", .product(name: "ZIPFoundation", package: "ZIPFoundation")],  // builds test wheels
            path: "Tests/DataTests"
        ),
        .testTarget(name: "TokenizerTests", dependencies: ["SentimentTokenizers", "SentimentData"], path: "Tests/TokenizerTests"),
        .testTarget(
            name: "ModelTests", dependencies: ["SentimentCore", "SentimentTensor", "SentimentModels", "SentimentData", "SentimentTokenizers"],
            path: "Tests/ModelTests"
        ),
        .testTarget(name: "TrainingTests", dependencies: ["SentimentTraining"], path: "Tests/TrainingTests"),
        .testTarget(name: "BaselineTests", dependencies: ["SentimentBaselines"], path: "Tests/BaselineTests"),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "SentimentPipelines", "SentimentModels", "SentimentTokenizers", "SentimentData", "SentimentBaselines", "SentimentEvaluation",
            ],
            path: "Tests/PipelineTests"
        ),
        .testTarget(name: "EvaluationTests", dependencies: ["SentimentEvaluation"], path: "Tests/EvaluationTests"),
        .testTarget(
            name: "ServerTests",
            // RealModelTests serve the real pipelines (ModelLocator.load) and a baseline trained there.
            dependencies: [
                "SentimentServer", "SentimentServerTools", "SentimentPipelines", "SentimentBaselines", "SentimentData",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/ServerTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
