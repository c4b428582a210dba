import CLibPQ

/// Collects single-row results within a row and byte bound (the bytes of the text values).
struct BoundedRowReader {
    let maxRows: Int
    let maxBytes: Int
    private(set) var columns: [String] = []
    private(set) var columnTypes: [UInt32] = []
    private var values: [[String?]] = []
    private var bytes = 0
    private var tag = ""
    private(set) var overflowMessage = ""

    init(maxRows: Int, maxBytes: Int) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
    }

    /// Adds the row of a PGRES_SINGLE_TUPLE result; false once a bound is passed.
    mutating func append(_ result: OpaquePointer) -> Bool {
        let columnCount = Int32(PQnfields(result))
        if columns.isEmpty, columnCount > 0 { describe(result) }
        var row: [String?] = []
        row.reserveCapacity(Int(columnCount))
        for column in 0..<columnCount {
            guard PQgetisnull(result, 0, column) == 0, let value = PQgetvalue(result, 0, column) else {
                row.append(nil)
                continue
            }
            let length = Int(PQgetlength(result, 0, column))
            bytes += length
            if bytes > maxBytes {
                overflowMessage = "the result has more than \(maxBytes) bytes"
                return false
            }
            row.append(value.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            })
        }
        guard values.count < maxRows else {
            overflowMessage = "the result has more than \(maxRows) rows"
            return false
        }
        values.append(row)
        return true
    }

    /// The final result of the statement: column names when there were no rows, and the command tag.
    mutating func finish(_ result: OpaquePointer) {
        if columns.isEmpty { describe(result) }
        tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }

    private mutating func describe(_ result: OpaquePointer) {
        let count = Int(PQnfields(result))
        columns = (0..<count).map { String(cString: PQfname(result, Int32($0))) }
        columnTypes = (0..<count).map { UInt32(PQftype(result, Int32($0))) }
    }

    var rows: PostgresRows {
        PostgresRows(columns: columns, columnTypes: columnTypes, values: values, affectedRows: values.count, commandTag: tag)
    }
}
