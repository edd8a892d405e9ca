import Foundation
import SentimentData
import SentimentTensor

/// A teacher's logits for a set of texts, keyed by text: what distillation trains the student from, so that a
/// student can be built without the teacher (a fresh machine's `make demo` trains `sentiment-en` from the file the
/// repository ships instead of running a 110M-parameter model over 20,000 texts first).
///
/// File layout (little-endian), written atomically:
///
///     "SKTLOG01"                                   8 bytes, magic + version
///     UInt64 n                                     length of the JSON header
///     JSON header (n bytes)                        {"teacher", "labels", "count", "dtype": "float16", "key": "fnv1a64-utf8"}
///     count × (UInt64 key, labels × UInt16 half)   sorted by key; key = FNV-1a-64 of the text's UTF-8 bytes
///
/// float16 keeps 3 significant digits: logits of ±10 round by at most 0.004, far below what moves a soft label.
public struct TeacherLogits: Sendable, Equatable {
    public struct Header: Codable, Sendable, Equatable {
        public var format = "sentimentkit-teacher-logits"
        /// Name or folder of the teacher that computed them (recorded, not needed to read them).
        public var teacher: String
        /// The teacher's label names, in logit order.
        public var labels: [String]
        public var count: Int
        public var dtype = "float16"
        public var key = "fnv1a64-utf8"
        /// Where the texts came from (e.g. "rotten-tomatoes train", "crowdflower-tweets train (unlabelled)").
        public var sources: [String]
    }

    public var header: Header
    /// Key → logits (float32 after reading; float16 in the file).
    public private(set) var table: [UInt64: [Float]]

    public init(teacher: String, labels: [String], sources: [String], logits: [(text: String, logits: [Float])]) {
        var table: [UInt64: [Float]] = [:]
        for (text, row) in logits { table[Self.key(text)] = Self.float16Rounded(row) }
        self.table = table
        header = Header(teacher: teacher, labels: labels, count: table.count, sources: sources)
    }

    /// `row` rounded to float16 and back: exactly what the file stores.
    public static func float16Rounded(_ row: [Float]) -> [Float] {
        row.map { HalfPrecision.floatFromFloat16(HalfPrecision.float16Bits($0)) }
    }

    /// The key of a text: FNV-1a-64 of its UTF-8 bytes (the canonical split's hash; texts as the data sets give them, trimmed).
    public static func key(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { CanonicalSplit.fnv1a64($0) }
    }

    /// The teacher's logits for `text` (as stored: float16 precision), nil when the file lacks it.
    public func logits(for text: String) -> [Float]? { table[Self.key(text)] }

    static let magic = Array("SKTLOG01".utf8)

    /// Reads a file; truncated or corrupt files are errors that name the file.
    public static func read(from url: URL) throws -> TeacherLogits {
        func bad(_ reason: String) -> TrainerError { .invalidTeacherLogits(file: url.path, reason: reason) }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw bad("cannot read: \(error.localizedDescription)")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else { throw bad("not a teacher-logits file (magic)") }
        func u64(_ offset: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) } }
        let headerLength = u64(8)
        guard headerLength <= UInt64(bytes.count - 16) else { throw bad("header length \(headerLength) beyond the end of the file") }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(bytes[16 ..< 16 + Int(headerLength)])) } catch {
            throw bad("unreadable header: \(error)")
        }
        guard header.format == "sentimentkit-teacher-logits", header.dtype == "float16", header.key == "fnv1a64-utf8",
              header.labels.count >= 2, header.count >= 0 else {
            throw bad("unsupported header (format \(header.format), dtype \(header.dtype), \(header.labels.count) labels)")
        }
        let record = 8 + 2 * header.labels.count
        let start = 16 + Int(headerLength)
        guard bytes.count - start == header.count * record else {
            throw bad("\(bytes.count - start) bytes of records, expected \(header.count) × \(record) (truncated?)")
        }
        var table: [UInt64: [Float]] = [:]
        table.reserveCapacity(header.count)
        for r in 0..<header.count {
            let offset = start + r * record
            let row = (0..<header.labels.count).map { c -> Float in
                let p = offset + 8 + 2 * c
                return HalfPrecision.floatFromFloat16(UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8)
            }
            guard row.allSatisfy(\.isFinite) else { throw bad("record \(r) holds a non-finite logit") }
            table[u64(offset)] = row
        }
        guard table.count == header.count else { throw bad("duplicate keys") }
        var result = TeacherLogits(teacher: header.teacher, labels: header.labels, sources: header.sources, logits: [])
        result.header = header
        result.table = table
        return result
    }

    /// Writes the file atomically (temporary file, then rename), records sorted by key so that the same logits
    /// always give the same bytes.
    public func write(to url: URL) throws {
        var out = Self.magic
        func append(_ value: UInt64) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: value >> (8 * i))) } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        append(UInt64(json.count))
        out += json
        for key in table.keys.sorted() {
            append(key)
            for value in table[key]! {
                let bits = HalfPrecision.float16Bits(value)
                out += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
            }
        }
        try Data(out).write(to: url, options: .atomic)
    }
}
