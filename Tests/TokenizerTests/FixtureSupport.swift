import Foundation
import SentimentData
import XCTest

@testable import SentimentTokenizers

/// Fixtures written by scripts/fixtures/tokenizer_parity.py, and the artifacts they were computed from.
enum Fixtures {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let folder = testsFolder.appendingPathComponent("Fixtures/tokenizers")
    static let robertaBPE = folder.appendingPathComponent("roberta-bpe")

    static var artifacts: URL {
        let home = ProcessInfo.processInfo.environment["SENTIMENTKIT_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/sentimentkit").path
        return URL(fileURLWithPath: home).appendingPathComponent("artifacts")
    }

    /// An artifact folder; a test fails when it has not been fetched (`sentiment fetch` / `make test` fetch them).
    static func artifact(_ name: String) throws -> URL {
        let url = artifacts.appendingPathComponent(name)
        _ = try XCTUnwrap(FileManager.default.fileExists(atPath: url.path) ? url : nil,
                          "artifact \(name) not in \(artifacts.path): run `sentiment fetch \(name)` (make test fetches it)")
        return url
    }

    /// Output of a command (gzip, bzip2 to decompress).
    static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "fixtures", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(arguments) failed"])
        }
        return data
    }

    /// The JSON lines of a .jsonl.gz fixture.
    static func jsonLines(_ name: String) throws -> [[String: Any]] {
        let data = try run(["gzip", "-dc", folder.appendingPathComponent(name).path])
        var rows: [[String: Any]] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let row = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw NSError(domain: "fixtures", code: 1)
            }
            rows.append(row)
        }
        return rows
    }

    // MARK: - Corpora: the data layer's canonical loading (trim, drop empty and duplicate texts, file order)

    static func corpus(_ name: String) throws -> [String] {
        _ = try artifact(name)
        return try Datasets.load(name).all.map(\.text)
    }

    /// The fixture's per-encoding hash: FNV-1a-64 (low 32 bits) of the little-endian UInt32s
    /// [count, ids, type ids, attention mask, (start, end)...].
    static func encodingHash(_ encoding: Encoding) -> UInt32 {
        var values: [UInt32] = [UInt32(encoding.count)]
        values += encoding.ids.map { UInt32(bitPattern: $0) }
        values += encoding.typeIds.map { UInt32(bitPattern: $0) }
        values += encoding.attentionMask.map { UInt32(bitPattern: $0) }
        for range in encoding.offsets { values += [UInt32(range.lowerBound), UInt32(range.upperBound)] }
        var bytes: [UInt8] = []
        for v in values { bytes += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        return UInt32(truncatingIfNeeded: CanonicalSplit.fnv1a64(bytes))
    }
}

/// An expected encoding from a fixture row ("ids", delta-coded "o", optional "t", "m", nested "ov").
struct ExpectedEncoding {
    var ids: [Int32]
    var typeIds: [Int32]
    var attentionMask: [Int32]
    var offsets: [Range<Int>]
    var overflowing: [ExpectedEncoding]
    var tokens: [String]?
    var sequenceIds: [Int?]?

    init(_ row: [String: Any]) {
        ids = (row["ids"] as? [Int] ?? []).map(Int32.init)
        typeIds = (row["t"] as? [Int])?.map(Int32.init) ?? Array(repeating: 0, count: ids.count)
        attentionMask = (row["m"] as? [Int])?.map(Int32.init) ?? Array(repeating: 1, count: ids.count)
        let deltas = row["o"] as? [Int] ?? []
        var offsets: [Range<Int>] = []
        var previousEnd = 0
        for k in stride(from: 0, to: deltas.count, by: 2) {
            let start = previousEnd + deltas[k]
            let end = start + deltas[k + 1]
            offsets.append(start..<end)
            previousEnd = end
        }
        self.offsets = offsets
        overflowing = (row["ov"] as? [[String: Any]] ?? []).map(ExpectedEncoding.init)
        tokens = row["tokens"] as? [String]
        sequenceIds = (row["s"] as? [Any])?.map { $0 as? Int }
    }

    /// nil when equal, else what differs.
    func difference(from encoding: Encoding) -> String? {
        if encoding.ids != ids { return "ids\n  HF:  \(ids)\n  ours: \(encoding.ids)" }
        if encoding.typeIds != typeIds { return "type ids\n  HF:  \(typeIds)\n  ours: \(encoding.typeIds)" }
        if encoding.attentionMask != attentionMask {
            return "attention mask\n  HF:  \(attentionMask)\n  ours: \(encoding.attentionMask)"
        }
        if encoding.offsets != offsets {
            return "offsets (ids \(ids))\n  HF:  \(offsets.map { [$0.lowerBound, $0.upperBound] })\n"
                + "  ours: \(encoding.offsets.map { [$0.lowerBound, $0.upperBound] })"
        }
        if let sequenceIds, encoding.sequenceIds != sequenceIds {
            return "sequence ids\n  HF:  \(sequenceIds)\n  ours: \(encoding.sequenceIds)"
        }
        if let tokens, !zip(tokens, encoding.tokens).allSatisfy(sameBytes) || tokens.count != encoding.tokens.count { return "tokens\n  HF:  \(tokens)\n  ours: \(encoding.tokens)" }
        if encoding.overflowing.count != overflowing.count {
            return "\(overflowing.count) overflowing windows in HF, \(encoding.overflowing.count) in ours"
        }
        for (index, (expected, ours)) in zip(overflowing, encoding.overflowing).enumerated() {
            if let difference = expected.difference(from: ours) { return "window \(index): \(difference)" }
        }
        return nil
    }
}

extension EncodingOptions {
    /// The options of a fixture case ("opts": add_special_tokens, max_length, stride, strategy, pad_to).
    init(fixture opts: [String: Any]) {
        self.init()
        addSpecialTokens = opts["add_special_tokens"] as? Bool ?? true
        maxLength = opts["max_length"] as? Int
        stride = opts["stride"] as? Int ?? 0
        switch opts["strategy"] as? String {
        case "only_first": truncation = .onlyFirst
        case "only_second": truncation = .onlySecond
        default: truncation = .longestFirst
        }
        if let length = opts["pad_to"] as? Int { padding = .length(length) }
    }
}
