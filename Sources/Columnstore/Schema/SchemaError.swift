/// An invalid projection schema: unreadable descriptors or inconsistent annotations.
///
/// `element` names the proto element at fault (e.g. `orders.analytics.v1.Order.placed_at`);
/// the description never contains anything but names from the proto.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidDescriptorSet
            case projectionNotFound
            case ambiguousProjection
            case invalidName
            case invalidBinding
            case duplicateFactType
            case duplicateTable
            case duplicateColumn
            case missingTableKind
            case unsupportedFieldType
            case invalidTypeOverride
            case unknownColumn
            case missingPrimaryKey
            case invalidKey
            case invalidSortKey
            case aggregateWithoutMeasures
            case invalidMeasure
            case missingVersionColumn
            case invalidVersionColumn
            case invalidPartition
            case invalidTTL
            case invalidColumnHint
            case unknownFactType
            case missingSource
            case invalidSource
            case invalidQuery
            case invalidTenantColumn
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The bytes are not a FileDescriptorSet.
        public static let invalidDescriptorSet = Code(.invalidDescriptorSet)
        /// No service carries `(projection.v1.projection)` (or none with the requested name).
        public static let projectionNotFound = Code(.projectionNotFound)
        /// Several projections are declared and none was selected.
        public static let ambiguousProjection = Code(.ambiguousProjection)
        /// A projection, table or column name is not a valid identifier.
        public static let invalidName = Code(.invalidName)
        /// A fact binding lacks its type, ref or idempotency key, or repeats a ref.
        public static let invalidBinding = Code(.invalidBinding)
        public static let duplicateFactType = Code(.duplicateFactType)
        public static let duplicateTable = Code(.duplicateTable)
        public static let duplicateColumn = Code(.duplicateColumn)
        public static let missingTableKind = Code(.missingTableKind)
        /// The field's proto type has no column type (repeated, bytes, enums, messages).
        public static let unsupportedFieldType = Code(.unsupportedFieldType)
        public static let invalidTypeOverride = Code(.invalidTypeOverride)
        /// A key, partition, TTL or version hint names a column the table lacks.
        public static let unknownColumn = Code(.unknownColumn)
        public static let missingPrimaryKey = Code(.missingPrimaryKey)
        /// A key column is repeated or nullable.
        public static let invalidKey = Code(.invalidKey)
        public static let invalidSortKey = Code(.invalidSortKey)
        public static let aggregateWithoutMeasures = Code(.aggregateWithoutMeasures)
        /// A measure is misplaced: not numeric, in the key, outside an aggregate table, or missing.
        public static let invalidMeasure = Code(.invalidMeasure)
        public static let missingVersionColumn = Code(.missingVersionColumn)
        public static let invalidVersionColumn = Code(.invalidVersionColumn)
        public static let invalidPartition = Code(.invalidPartition)
        public static let invalidTTL = Code(.invalidTTL)
        /// A low-cardinality, codec or nullable hint does not fit the column.
        public static let invalidColumnHint = Code(.invalidColumnHint)
        /// A column source names a fact the projection does not bind.
        public static let unknownFactType = Code(.unknownFactType)
        /// A column lacks a source, or a key column lacks one for a fact feeding its table.
        public static let missingSource = Code(.missingSource)
        /// A source has no value, a bad transform, constant or data path, or repeats a fact.
        public static let invalidSource = Code(.invalidSource)
        public static let invalidQuery = Code(.invalidQuery)
        /// A table has no column fed only by the tenant attribute for every fact feeding it, or an
        /// aggregate or latest table's primary key leaves it out.
        public static let invalidTenantColumn = Code(.invalidTenantColumn)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Fully-qualified proto element at fault, if any.
    public var element: String?
    /// What is wrong, in terms of the annotations.
    public var reason: String

    public init(_ code: Code, element: String? = nil, _ reason: String) {
        self.code = code
        self.element = element
        self.reason = reason
    }

    public var description: String {
        if let element { return "invalid projection schema (\(code)) at \(element): \(reason)" }
        return "invalid projection schema (\(code)): \(reason)"
    }
}
