/// A compressed sparse row (CSR) matrix of Doubles: the document-term matrices of the vectorisers.
/// Row r holds the entries `rowOffsets[r] ..< rowOffsets[r + 1]` of `columns` / `values`, columns ascending
/// (scikit-learn's `indptr`, `indices`, `data` after `sort_indices()`).
public struct SparseMatrix: Sendable, Equatable {
    public let rowCount: Int
    public let columnCount: Int
    public internal(set) var rowOffsets: [Int]
    public internal(set) var columns: [Int32]
    public internal(set) var values: [Double]

    public init(rowCount: Int, columnCount: Int, rowOffsets: [Int], columns: [Int32], values: [Double]) {
        precondition(rowOffsets.count == rowCount + 1 && columns.count == values.count && rowOffsets.last == columns.count,
                     "inconsistent CSR arrays")
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.rowOffsets = rowOffsets
        self.columns = columns
        self.values = values
    }

    public var nonZeroCount: Int { values.count }

    /// The entry range of row `r` in `columns` / `values`.
    @inline(__always)
    public func range(ofRow r: Int) -> Range<Int> { rowOffsets[r] ..< rowOffsets[r + 1] }

    /// The transpose, also in CSR form (i.e. this matrix in compressed sparse column form): row j lists the rows
    /// of this matrix that have column j, ascending.
    public func transposed() -> SparseMatrix {
        var offsets = [Int](repeating: 0, count: columnCount + 1)
        for column in columns { offsets[Int(column) + 1] += 1 }
        for j in 0 ..< columnCount { offsets[j + 1] += offsets[j] }
        var next = Array(offsets.dropLast())
        var outColumns = [Int32](repeating: 0, count: columns.count)
        var outValues = [Double](repeating: 0, count: values.count)
        for r in 0 ..< rowCount {
            for k in range(ofRow: r) {
                let j = Int(columns[k])
                outColumns[next[j]] = Int32(r)
                outValues[next[j]] = values[k]
                next[j] += 1
            }
        }
        return SparseMatrix(rowCount: columnCount, columnCount: rowCount, rowOffsets: offsets, columns: outColumns, values: outValues)
    }

    /// Applies `transform` to every stored value (sublinear tf, binarisation, idf weighting).
    mutating func mapValues(_ transform: (_ value: Double, _ column: Int) -> Double) {
        for k in values.indices { values[k] = transform(values[k], Int(columns[k])) }
    }

    /// Scales each row to unit Euclidean norm; all-zero rows stay zero (scikit-learn's `normalize(norm="l2")`).
    mutating func normalizeRowsL2() {
        for r in 0 ..< rowCount {
            let entries = range(ofRow: r)
            var squares = 0.0
            for k in entries { squares += values[k] * values[k] }
            guard squares > 0 else { continue }
            let scale = 1 / squares.squareRoot()
            for k in entries { values[k] *= scale }
        }
    }
}
