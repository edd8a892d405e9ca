/// RFC 4180 reader for comma- or tab-separated UTF-8 bytes, with the semantics of Python's `csv` module
/// (what produced and reads our corpora): quoted fields may hold delimiters, `""` and line breaks;
/// records end at LF, CRLF or CR outside quotes; blank lines are skipped; text after a closing quote
/// is kept (Python's lenient default); an unterminated quote is an error.
public enum DelimitedText {
    public struct Record: Sendable {
        /// 1-based line where the record starts.
        public var line: Int
        public var fields: [String]
    }

    public static func parse<Bytes: Collection>(_ bytes: Bytes, delimiter: UInt8, file: String) throws -> [Record]
    where Bytes.Element == UInt8 {
        let contiguous = Array(bytes)
        return try contiguous.withUnsafeBufferPointer { try parse(buffer: $0, delimiter: delimiter, file: file) }
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>, delimiter: UInt8, file: String) throws -> [Record] {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var state = State.fieldStart
        var line = 1, recordLine = 1, quoteLine = 1
        var recordHasContent = false

        func endField() throws {
            guard let text = String(validating: field, as: UTF8.self) else {
                throw DataError.invalidUTF8(file: file, line: line)
            }
            fields.append(text)
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() throws {
            if recordHasContent {
                try endField()
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            field.removeAll(keepingCapacity: true)
            recordHasContent = false
            state = .fieldStart
        }

        var i = 0
        let n = buffer.count
        while i < n {
            let byte = buffer[i]
            i += 1
            if byte == lf || byte == cr {
                if state == .quoted {
                    field.append(byte)
                    if byte == lf { line += 1 }
                    continue
                }
                try endRecord()
                if byte == cr && i < n && buffer[i] == lf { i += 1 }
                line += 1
                recordLine = line
                continue
            }
            recordHasContent = true
            switch state {
            case .fieldStart:
                if byte == quote {
                    state = .quoted
                    quoteLine = line
                } else if byte == delimiter {
                    try endField()
                } else {
                    field.append(byte)
                    state = .unquoted
                }
            case .unquoted:
                if byte == delimiter {
                    try endField()
                    state = .fieldStart
                } else {
                    field.append(byte)
                }
            case .quoted:
                if byte == quote { state = .quoteInQuoted } else { field.append(byte) }
            case .quoteInQuoted:
                if byte == quote {
                    field.append(quote)
                    state = .quoted
                } else if byte == delimiter {
                    try endField()
                    state = .fieldStart
                } else {
                    field.append(byte)
                    state = .unquoted
                }
            }
        }
        if state == .quoted {
            throw DataError.malformedFile(file: file, line: quoteLine, reason: "quoted field is never closed")
        }
        try endRecord()
        return records
    }
}
