import Foundation

/// A table read from .csv, .tsv, .jsonl or .txt, keeping every column and row as text, so the CLI
/// (`classify --file`, `train --data`, `evaluate --file`) can pick columns by name and write the rows
/// back with appended columns (`TabularWriter`).
///
/// - .csv / .tsv: first record is the header (RFC 4180 quoting, multi-line fields, UTF-8 with optional BOM).
///   Short rows are padded with empty fields; a row with more fields than the header is an error.
/// - .jsonl: one JSON object per non-blank line; columns are the keys in first-seen order; strings are kept,
///   numbers and booleans become their JSON text, null and missing keys become "".
/// - .txt: one text per non-blank line, in a single column named `text`.
public struct TabularFile: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case csv, tsv, jsonl, txt

        /// The format named by a file's extension (.json is read as JSON Lines).
        public init(url: URL) throws {
            switch url.pathExtension.lowercased() {
            case "csv": self = .csv
            case "tsv", "tab": self = .tsv
            case "jsonl", "ndjson", "json": self = .jsonl
            case "txt", "text": self = .txt
            default: throw DataError.unsupportedFormat(file: url.path)
            }
        }
    }

    public var columns: [String]
    /// Every row has exactly `columns.count` fields.
    public var rows: [[String]]
    public var format: Format
    /// 1-based line of each row in the source file (for error messages).
    public var lines: [Int]
    /// Where the table came from (a path), for error messages.
    public var source: String

    public init(columns: [String], rows: [[String]], format: Format = .csv, lines: [Int]? = nil, source: String = "table") {
        self.columns = columns
        self.rows = rows
        self.format = format
        self.lines = lines ?? rows.indices.map { $0 + 2 }
        self.source = source
    }

    public static func read(url: URL) throws -> TabularFile {
        let format = try Format(url: url)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DataError.ioError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(bytes: [UInt8](data), format: format, file: url.path)
    }

    /// Parses UTF-8 bytes (a leading BOM is ignored).
    public static func parse(bytes: [UInt8], format: Format, file: String) throws -> TabularFile {
        let body = TextDecoding.withoutBOM(bytes)
        switch format {
        case .csv: return try delimited(body, delimiter: UInt8(ascii: ","), format: format, file: file)
        case .tsv: return try delimited(body, delimiter: UInt8(ascii: "\t"), format: format, file: file)
        case .jsonl: return try jsonLines(body, file: file)
        case .txt: return try textLines(body, file: file)
        }
    }

    /// Index of a column; throws naming the available columns.
    public func columnIndex(named name: String) throws -> Int {
        guard let index = columns.firstIndex(of: name) else {
            throw DataError.columnMissing(file: source, column: name, available: columns)
        }
        return index
    }

    /// Every value of a column, in row order.
    public func column(named name: String) throws -> [String] {
        let index = try columnIndex(named: name)
        return rows.map { $0[index] }
    }

    private static func delimited(_ bytes: ArraySlice<UInt8>, delimiter: UInt8, format: Format, file: String) throws -> TabularFile {
        let records = try DelimitedText.parse(bytes, delimiter: delimiter, file: file)
        guard let header = records.first else { throw DataError.emptyFile(file: file) }
        let width = header.fields.count
        var rows: [[String]] = []
        rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            var fields = record.fields
            if fields.count > width {
                throw DataError.malformedFile(
                    file: file, line: record.line, reason: "\(fields.count) fields but the header has \(width)")
            }
            if fields.count < width { fields += Array(repeating: "", count: width - fields.count) }
            rows.append(fields)
        }
        return TabularFile(columns: header.fields, rows: rows, format: format, lines: records.dropFirst().map(\.line), source: file)
    }

    private static func jsonLines(_ bytes: ArraySlice<UInt8>, file: String) throws -> TabularFile {
        var columns: [String] = []
        var columnIndex: [String: Int] = [:]
        var objects: [[String: String]] = []
        var lines: [Int] = []
        // Encoding first, so a bad byte is reported as such and not as bad JSON.
        if let line = TextDecoding.firstInvalidUTF8Line(bytes) { throw DataError.invalidUTF8(file: file, line: line) }
        for (offset, lineBytes) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            if lineBytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(lineBytes), options: [.fragmentsAllowed])
            } catch {
                throw DataError.malformedFile(file: file, line: lineNumber, reason: "invalid JSON")
            }
            guard let dictionary = object as? [String: Any] else {
                throw DataError.malformedFile(file: file, line: lineNumber, reason: "expected a JSON object per line")
            }
            // JSONSerialization loses key order: order new keys as they appear in the line's text.
            let newKeys = dictionary.keys.filter { columnIndex[$0] == nil }
            if !newKeys.isEmpty {
                let text = String(decoding: lineBytes, as: UTF8.self)
                for key in newKeys.sorted(by: { keyOffset($0, in: text) < keyOffset($1, in: text) }) {
                    columnIndex[key] = columns.count
                    columns.append(key)
                }
            }
            objects.append(dictionary.mapValues(jsonText))
            lines.append(lineNumber)
        }
        guard !objects.isEmpty else { throw DataError.emptyFile(file: file) }
        let rows = objects.map { object in columns.map { object[$0] ?? "" } }
        return TabularFile(columns: columns, rows: rows, format: .jsonl, lines: lines, source: file)
    }

    private static func keyOffset(_ key: String, in text: String) -> Int {
        guard let encoded = try? JSONSerialization.data(withJSONObject: key, options: [.fragmentsAllowed]),
              let quoted = String(data: encoded, encoding: .utf8),
              let range = text.range(of: quoted + ":") ?? text.range(of: quoted)
        else { return Int.max }
        return text.distance(from: text.startIndex, to: range.lowerBound)
    }

    private static func jsonText(_ value: Any) -> String {
        switch value {
        case let string as String: return string
        case is NSNull: return ""
        case let bool as Bool where type(of: value) == Bool.self: return bool ? "true" : "false"
        case let number as NSNumber:
            // Booleans may arrive as NSNumber with Objective-C type "c" (char).
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default:
            let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    private static func textLines(_ bytes: ArraySlice<UInt8>, file: String) throws -> TabularFile {
        var rows: [[String]] = []
        var lines: [Int] = []
        for (offset, lineBytes) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var content = lineBytes
            if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
            guard let text = String(validating: content, as: UTF8.self) else {
                throw DataError.invalidUTF8(file: file, line: offset + 1)
            }
            if PythonWhitespace.strip(text).isEmpty { continue }
            rows.append([text])
            lines.append(offset + 1)
        }
        guard !rows.isEmpty else { throw DataError.emptyFile(file: file) }
        return TabularFile(columns: ["text"], rows: rows, format: .txt, lines: lines, source: file)
    }
}
