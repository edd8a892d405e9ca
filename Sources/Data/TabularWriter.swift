import Foundation
import SentimentCore

extension TabularFile {
    /// Appends a column of values (one per row) and returns its name: `name`, or `name_2`, `name_3`...
    /// when the table already has a column so named (original columns are never overwritten).
    @discardableResult
    public mutating func appendColumn(_ name: String, values: [String]) throws -> String {
        guard values.count == rows.count else {
            throw DataError.malformedFile(file: name, line: 0, reason: "\(values.count) values for \(rows.count) rows")
        }
        var unique = name
        var suffix = 2
        while columns.contains(unique) {
            unique = "\(name)_\(suffix)"
            suffix += 1
        }
        columns.append(unique)
        for index in rows.indices { rows[index].append(values[index]) }
        return unique
    }
}

/// Writes a `TabularFile` as .csv, .tsv, .jsonl or .txt (chosen by the file extension), atomically
/// (temp file + rename: a reader never sees half a file).
/// CSV/TSV quote like Python's `csv.QUOTE_MINIMAL` (fields holding the delimiter, a quote or a line break),
/// lines end with LF; JSONL writes one object per row with keys in column order and string values;
/// .txt takes a one-column table, one value per line.
public enum TabularWriter {
    public static func write(_ table: TabularFile, to url: URL) throws {
        let data = try encode(table, as: TabularFile.Format(url: url), file: url.path)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw DataError.ioError(file: url.path, message: "cannot write: \(error.localizedDescription)")
        }
    }

    public static func encode(_ table: TabularFile, as format: TabularFile.Format, file: String = "output") throws -> Data {
        var out = ""
        switch format {
        case .csv, .tsv:
            let delimiter: Character = format == .csv ? "," : "\t"
            for row in [table.columns] + table.rows {
                out += row.map { delimitedField($0, delimiter: delimiter, alone: row.count == 1) }
                    .joined(separator: String(delimiter))
                out += "\n"
            }
        case .jsonl:
            for row in table.rows {
                out += "{"
                out += zip(table.columns, row).map { JSONString.quoted($0) + ": " + JSONString.quoted($1) }.joined(separator: ", ")
                out += "}\n"
            }
        case .txt:
            guard table.columns.count == 1 else {
                throw DataError.ioError(file: file, message: "a .txt file holds one column; use .csv, .tsv or .jsonl for \(table.columns.count) columns")
            }
            for row in table.rows {
                if row[0].contains(where: \.isNewline) {
                    throw DataError.ioError(file: file, message: "a value holds a line break; use .csv, .tsv or .jsonl")
                }
                out += row[0] + "\n"
            }
        }
        return Data(out.utf8)
    }

    static func delimitedField(_ field: String, delimiter: Character, alone: Bool) -> String {
        // `alone`: an empty single-field row must be quoted, or it would read back as a blank line.
        let needsQuotes = (alone && field.isEmpty)
            || field.unicodeScalars.contains { $0 == "\"" || $0 == "\n" || $0 == "\r" || Character($0) == delimiter }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
