import SwiftProtobuf

/// Builds and validates a `ProjectionSchema` from a FileDescriptorSet.
///
/// Options are read from the set itself (compiled with source info), so
/// source-retained options survive even where runtime descriptors drop them.
struct SchemaLoader {
    private struct MessageEntry {
        var fullName: String
        var package: String
        var isProto3: Bool
        var proto: Google_Protobuf_DescriptorProto
    }

    private let files: [Google_Protobuf_FileDescriptorProto]
    /// Messages in declaration order (files in set order, nested depth-first).
    private var messages: [MessageEntry] = []
    private var messagesByName: [String: MessageEntry] = [:]
    /// Enum values in declaration order by fully-qualified enum name (the first is the default;
    /// of aliases the first is the name ProtoJSON writes).
    private var enumsByName: [String: [(name: String, number: Int32)]] = [:]

    init(serializedSet bytes: [UInt8]) throws {
        let set: Google_Protobuf_FileDescriptorSet
        do {
            set = try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes, extensions: Projection_V1_Annotations_Extensions)
        } catch {
            throw SchemaError(.invalidDescriptorSet, "the input is not a serialized FileDescriptorSet (compile it with protoc --descriptor_set_out)")
        }
        files = set.file
        for file in files {
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for message in file.messageType {
                index(message, prefix: prefix, package: file.package, isProto3: file.syntax == "proto3")
            }
            for enumeration in file.enumType { index(enumeration, prefix: prefix) }
        }
    }

    private mutating func index(_ message: Google_Protobuf_DescriptorProto, prefix: String, package: String, isProto3: Bool) {
        let fullName = prefix + message.name
        let entry = MessageEntry(fullName: fullName, package: package, isProto3: isProto3, proto: message)
        messages.append(entry)
        messagesByName[fullName] = entry
        for nested in message.nestedType {
            index(nested, prefix: fullName + ".", package: package, isProto3: isProto3)
        }
        for enumeration in message.enumType { index(enumeration, prefix: fullName + ".") }
    }

    private mutating func index(_ enumeration: Google_Protobuf_EnumDescriptorProto, prefix: String) {
        enumsByName[prefix + enumeration.name] = enumeration.value.map { ($0.name, $0.number) }
    }

    // MARK: - Projection

    func load(projection requested: String?) throws -> ProjectionSchema {
        var candidates: [(service: Google_Protobuf_ServiceDescriptorProto, package: String)] = []
        for file in files {
            for service in file.service where service.options.hasProjection_V1_projection {
                let name = service.options.Projection_V1_projection.name
                if requested == nil || requested == name { candidates.append((service, file.package)) }
            }
        }
        guard let (service, package) = candidates.first else {
            if let requested {
                throw SchemaError(.projectionNotFound, "no service declares (projection.v1.projection) with name '\(requested)'")
            }
            throw SchemaError(.projectionNotFound, "no service declares the (projection.v1.projection) option")
        }
        guard candidates.count == 1 else {
            let names = candidates.map { "'\($0.service.options.Projection_V1_projection.name)'" }.joined(separator: ", ")
            throw SchemaError(.ambiguousProjection, "several projections are declared (\(names)); select one by name")
        }
        let serviceName = package.isEmpty ? service.name : package + "." + service.name
        let options = service.options.Projection_V1_projection

        guard SchemaNaming.isValidProjectionName(options.name) else {
            throw SchemaError(.invalidName, element: serviceName, "projection name '\(options.name)' must match [a-z][a-z0-9-]*")
        }
        var storeKinds: [StoreKind] = []
        for kind in options.stores {
            let store: StoreKind
            switch kind {
            case .clickhouse: store = .clickhouse
            case .postgres: store = .postgres
            default: throw SchemaError(.invalidName, element: serviceName, "unknown store kind in 'stores'")
            }
            if !storeKinds.contains(store) { storeKinds.append(store) }
        }
        if storeKinds.isEmpty { storeKinds = StoreKind.allCases }

        let bindings = try loadBindings(options.facts, element: serviceName)
        var tables: [TableSchema] = []
        for entry in messages where entry.package == package && entry.proto.options.hasProjection_V1_table {
            let table = try loadTable(entry, bindings: bindings)
            if tables.contains(where: { $0.name == table.name }) {
                throw SchemaError(.duplicateTable, element: entry.fullName, "table '\(table.name)' is declared twice")
            }
            // On a ClickHouse cluster `x` is a Distributed table over `x_local`.
            if let clash = tables.first(where: { $0.name + SchemaNaming.clusterLocalSuffix == table.name || table.name + SchemaNaming.clusterLocalSuffix == $0.name }) {
                throw SchemaError(.duplicateTable, element: entry.fullName,
                                  "tables '\(clash.name)' and '\(table.name)' clash: a ClickHouse cluster names the local table of '<name>' '<name>_local'")
            }
            tables.append(table)
        }
        let methods = try service.method
            .filter { $0.options.hasProjection_V1_query }
            .map { try loadMethod($0, service: serviceName) }
        return ProjectionSchema(
            name: options.name,
            storeKinds: storeKinds,
            bindings: bindings,
            tables: tables,
            queryService: methods.isEmpty ? nil : QueryServiceSchema(fullName: serviceName, methods: methods)
        )
    }

    private func loadBindings(_ facts: [Projection_V1_FactBinding], element: String) throws -> [FactBinding] {
        var bindings: [FactBinding] = []
        for fact in facts {
            guard !fact.type.isEmpty else {
                throw SchemaError(.invalidBinding, element: element, "a fact binding has no 'type'")
            }
            let factElement = "\(element) fact '\(fact.type)'"
            guard !fact.ref.isEmpty else {
                throw SchemaError(.invalidBinding, element: factElement, "the binding has no 'ref'")
            }
            var keyParts = try loadKeyParts(fact, element: factElement)
            if bindings.contains(where: { $0.factType == fact.type }) {
                throw SchemaError(.duplicateFactType, element: factElement, "fact type '\(fact.type)' is bound twice")
            }
            if bindings.contains(where: { $0.ref == fact.ref || $0.factType == fact.ref }) {
                throw SchemaError(.invalidBinding, element: factElement, "ref '\(fact.ref)' is used by another binding")
            }
            // Sources name a fact by ref or by type: a type equal to an earlier binding's ref would be
            // ambiguous too (checked both ways).
            if bindings.contains(where: { $0.ref == fact.type }) {
                throw SchemaError(.invalidBinding, element: factElement, "fact type '\(fact.type)' is another binding's ref")
            }
            var dataMessage: String?
            if fact.hasDataMessage {
                let name = fact.dataMessage.hasPrefix(".") ? String(fact.dataMessage.dropFirst()) : fact.dataMessage
                guard messagesByName[name] != nil else {
                    throw SchemaError(.invalidBinding, element: factElement, "data message '\(name)' is not in the descriptor set")
                }
                keyParts = try keyParts.map { part in
                    guard case .data(let path) = part else { return part }
                    switch resolveDataPath(path, in: name) {
                    case .success(let resolved): return .data(resolved)
                    case .failure(let problem): throw SchemaError(.invalidBinding, element: factElement, "idempotency key: \(problem.description)")
                    }
                }
                dataMessage = name
            }
            bindings.append(FactBinding(factType: fact.type, ref: fact.ref, keyParts: keyParts, dataMessage: dataMessage))
        }
        return bindings
    }

    /// `idempotency_key` (one data path) or `idempotency_key_parts`, exactly one of them.
    private func loadKeyParts(_ fact: Projection_V1_FactBinding, element: String) throws -> [IdempotencyKeyPart] {
        if fact.idempotencyKeyParts.isEmpty {
            guard let key = FieldPath(dotted: fact.idempotencyKey) else {
                throw SchemaError(.invalidBinding, element: element,
                    "'idempotency_key' must be a dotted path into data, e.g. \"order_id\" (or use 'idempotency_key_parts')")
            }
            return [.data(key)]
        }
        guard !fact.hasIdempotencyKey else {
            throw SchemaError(.invalidBinding, element: element, "set either 'idempotency_key' or 'idempotency_key_parts', not both")
        }
        var parts: [IdempotencyKeyPart] = []
        for (index, part) in fact.idempotencyKeyParts.enumerated() {
            let loaded: IdempotencyKeyPart
            switch part.part {
            case .data(let dotted)?:
                guard let path = FieldPath(dotted: dotted) else {
                    throw SchemaError(.invalidBinding, element: element, "idempotency key part \(index + 1): '\(dotted)' is not a dotted path into data")
                }
                loaded = .data(path)
            case .envelope(let attribute)?:
                guard let envelope = try? envelopeAttribute(attribute, element: element) else {
                    throw SchemaError(.invalidBinding, element: element, "idempotency key part \(index + 1): an envelope attribute is required")
                }
                loaded = .envelope(envelope)
            case nil:
                throw SchemaError(.invalidBinding, element: element, "idempotency key part \(index + 1) is empty: set 'data' or 'envelope'")
            }
            guard !parts.contains(loaded) else {
                throw SchemaError(.invalidBinding, element: element, "idempotency key part '\(loaded)' is repeated")
            }
            parts.append(loaded)
        }
        return parts
    }

    /// Why `path` does not name a field of `message`, or `nil` when it does.
    /// The path resolved against the binding's data message: each component names a field by its proto
    /// name or its `json_name` (the other spelling is kept as the path's alternative, read at runtime too);
    /// only singular message fields are descended into, and the leaf is a scalar in ProtoJSON.
    private func resolveDataPath(_ path: FieldPath, in message: String) -> Result<FieldPath, DataPathProblem> {
        var current = message
        var alternatives: [String?] = []
        for (i, component) in path.components.enumerated() {
            guard let entry = messagesByName[current],
                  let field = entry.proto.field.first(where: { $0.name == component || $0.jsonName == component })
            else { return .failure(DataPathProblem("'\(path)' is not a field of \(message)")) }
            let other = component == field.name ? field.jsonName : field.name
            alternatives.append(other.isEmpty || other == component ? nil : other)
            if field.label == .repeated {
                return .failure(DataPathProblem("'\(path)' reaches repeated or map field '\(component)' (a JSON array or object): a path names one value"))
            }
            let typeName = String(field.typeName.drop(while: { $0 == "." }))
            if i < path.components.count - 1 {
                guard field.type == .message else { return .failure(DataPathProblem("'\(path)' descends into non-message field '\(component)'")) }
                guard !typeName.hasPrefix("google.protobuf.") else {
                    return .failure(DataPathProblem("'\(path)' descends into '\(component)' (\(typeName)), which ProtoJSON writes as one value"))
                }
                current = typeName
            } else if field.type == .message, !Self.scalarWellKnownTypes.contains(typeName) {
                return .failure(DataPathProblem("'\(path)' ends at message field '\(component)' (a JSON object): name one of its fields"))
            }
        }
        return .success(FieldPath(path.components, alternatives: alternatives))
    }

    /// Well-known message types whose ProtoJSON form is a single value a column can hold.
    static let scalarWellKnownTypes: Set<String> = [
        "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.Value",
        "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
        "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
        "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
    ]

    struct DataPathProblem: Error {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: - Tables

    private func loadTable(_ entry: MessageEntry, bindings: [FactBinding]) throws -> TableSchema {
        let options = entry.proto.options.Projection_V1_table
        let element = entry.fullName
        let name = options.hasName ? options.name : SchemaNaming.snakeCase(entry.proto.name)
        if let problem = SchemaNaming.identifierProblem(name) ?? SchemaNaming.tableNameProblem(name) {
            throw SchemaError(.invalidName, element: element, "table name \(problem)")
        }
        let kind: TableKind
        switch options.kind {
        case .append: kind = .append
        case .aggregate: kind = .aggregate
        case .latest: kind = .latest
        default:
            throw SchemaError(.missingTableKind, element: element, "table '\(name)' needs kind TABLE_KIND_APPEND, TABLE_KIND_AGGREGATE or TABLE_KIND_LATEST")
        }

        var columns: [ColumnSchema] = []
        var sortOrders: [(order: UInt32, column: String, element: String)] = []
        for field in entry.proto.field {
            let fieldElement = "\(element).\(field.name)"
            let column = try loadColumn(field, element: fieldElement, bindings: bindings)
            if columns.contains(where: { $0.name == column.name }) {
                throw SchemaError(.duplicateColumn, element: fieldElement, "column '\(column.name)' is declared twice in table '\(name)'")
            }
            let columnOptions = field.options.Projection_V1_column
            if columnOptions.hasSortKeyOrder {
                guard columnOptions.sortKeyOrder > 0 else {
                    throw SchemaError(.invalidSortKey, element: fieldElement, "sort_key_order is 1-based")
                }
                if let clash = sortOrders.first(where: { $0.order == columnOptions.sortKeyOrder }) {
                    throw SchemaError(.invalidSortKey, element: fieldElement, "sort_key_order \(columnOptions.sortKeyOrder) is also used by column '\(clash.column)'")
                }
                sortOrders.append((columnOptions.sortKeyOrder, column.name, fieldElement))
            }
            columns.append(column)
        }
        let orderBy = sortOrders.sorted { $0.order < $1.order }.map(\.column)

        var partition: PartitionHint?
        if options.hasPartitionBy {
            let granularity: PartitionHint.Granularity
            switch options.partitionBy.granularity {
            case .month: granularity = .month
            case .day: granularity = .day
            default: throw SchemaError(.invalidPartition, element: element, "partition_by needs a granularity (MONTH or DAY)")
            }
            partition = PartitionHint(column: options.partitionBy.column, granularity: granularity)
        }
        var ttl: TTLHint?
        if options.hasTtl {
            ttl = TTLHint(column: options.ttl.column, days: Int(options.ttl.days))
        }
        let table = TableSchema(
            name: name,
            messageName: entry.fullName,
            kind: kind,
            columns: columns,
            primaryKey: options.primaryKey,
            orderBy: orderBy.isEmpty ? nil : orderBy,
            partitionBy: partition,
            ttl: ttl,
            versionColumn: options.hasVersionColumn ? options.versionColumn : nil
        )
        try SchemaValidator.validate(table, element: element)
        return table.withSkippableMeasuresNullable().withFactCount()
    }

    private func loadColumn(_ field: Google_Protobuf_FieldDescriptorProto, element: String, bindings: [FactBinding]) throws -> ColumnSchema {
        let options = field.options.Projection_V1_column
        let name = options.hasName ? options.name : field.name
        if let problem = SchemaNaming.identifierProblem(name) ?? SchemaNaming.columnNameProblem(name) {
            throw SchemaError(.invalidName, element: element, "column name \(problem)")
        }
        let type = try columnType(of: field, options: options, element: element)
        var column = ColumnSchema(
            name: name,
            fieldName: field.name,
            type: type,
            nullable: options.nullable,
            lowCardinality: options.lowCardinality,
            codec: options.hasCodec ? options.codec : nil,
            aggregate: try aggregate(options, element: element)
        )
        for source in options.source {
            let loaded = try loadSource(source, column: column, element: element, bindings: bindings)
            if column.sources.contains(where: { $0.factType == loaded.factType }) {
                throw SchemaError(.invalidSource, element: element, "fact '\(loaded.factType)' is a source twice; use one source per fact type")
            }
            column.sources.append(loaded)
        }
        guard !column.sources.isEmpty else {
            throw SchemaError(.missingSource, element: element, "column '\(name)' has no source; add (projection.v1.column).source")
        }
        return column
    }

    private func aggregate(_ options: Projection_V1_ColumnOptions, element: String) throws -> AggregateFunction? {
        guard options.hasAggregate else { return nil }
        switch options.aggregate {
        case .sum: return .sum
        case .max: return .max
        case .min: return .min
        default: throw SchemaError(.invalidMeasure, element: element, "aggregate must be SUM, MAX or MIN")
        }
    }

    private func columnType(of field: Google_Protobuf_FieldDescriptorProto, options: Projection_V1_ColumnOptions, element: String) throws -> ColumnType {
        guard field.label != .repeated else {
            throw SchemaError(.unsupportedFieldType, element: element, "repeated fields cannot be columns")
        }
        let inferred: ColumnType
        switch field.type {
        case .string: inferred = .string
        case .int32, .sint32, .sfixed32: inferred = .int32
        // uint32 does not fit Int32; Int64 holds it exactly.
        case .int64, .sint64, .sfixed64, .uint32, .fixed32: inferred = .int64
        case .uint64, .fixed64: inferred = .uint64
        case .double, .float: inferred = .float64
        case .bool: inferred = .bool
        case .message where field.typeName == ".google.protobuf.Timestamp": inferred = .timestamp
        default:
            throw SchemaError(.unsupportedFieldType, element: element, "field type has no column type (use string, integers, double, bool or google.protobuf.Timestamp)")
        }
        guard options.hasType else { return inferred }
        let override: ColumnType
        switch options.type {
        case .date: override = .date
        case .timestamp: override = .timestamp
        case .decimal:
            let precision = Int(options.decimalPrecision), scale = Int(options.decimalScale)
            guard (1...38).contains(precision), (0...precision).contains(scale) else {
                throw SchemaError(.invalidTypeOverride, element: element, "decimal needs decimal_precision in 1...38 and decimal_scale in 0...precision")
            }
            override = .decimal(precision: precision, scale: scale)
        default:
            throw SchemaError(.invalidTypeOverride, element: element, "type must be DATE, TIMESTAMP or DECIMAL")
        }
        guard inferred == .string || (inferred == .timestamp && override == .timestamp) else {
            throw SchemaError(.invalidTypeOverride, element: element, "a type override needs a string field")
        }
        return override
    }

    private func loadSource(_ source: Projection_V1_ColumnSource, column: ColumnSchema, element: String, bindings: [FactBinding]) throws -> ColumnSource {
        guard let binding = bindings.first(where: { $0.ref == source.fact || $0.factType == source.fact }) else {
            throw SchemaError(.unknownFactType, element: element, "source fact '\(source.fact)' is not bound by the projection (use a binding ref or fact type)")
        }
        let sourceElement = "\(element) source '\(binding.ref)'"
        let value: SourceValue
        switch source.value {
        case .data(let dotted):
            guard let path = FieldPath(dotted: dotted) else {
                throw SchemaError(.invalidSource, element: sourceElement, "data path '\(dotted)' is not a dotted field path")
            }
            if let message = binding.dataMessage {
                switch resolveDataPath(path, in: message) {
                case .success(let resolved): value = .data(resolved)
                case .failure(let problem): throw SchemaError(.invalidSource, element: sourceElement, problem.description)
                }
            } else {
                value = .data(path)
            }
        case .envelope(let attribute):
            value = .envelope(try envelopeAttribute(attribute, element: sourceElement))
        case .constant(let literal):
            value = .constant(literal)
        case nil:
            throw SchemaError(.invalidSource, element: sourceElement, "the source needs one of data, envelope or constant")
        }
        let transform: SourceTransform
        switch source.transform {
        case .none: transform = .none
        case .toDate: transform = .toDate
        case .toHour: transform = .toHour
        }
        let loaded = ColumnSource(
            factType: binding.factType,
            value: value,
            transform: transform,
            isRequired: source.hasRequired ? source.required : !column.nullable
        )
        if let problem = SchemaValidator.sourceProblem(loaded, column: column) {
            throw SchemaError(.invalidSource, element: sourceElement, problem)
        }
        return loaded
    }

    private func envelopeAttribute(_ attribute: Projection_V1_EnvelopeAttribute, element: String) throws -> EnvelopeAttribute {
        switch attribute {
        case .id: return .id
        case .time: return .time
        case .subject: return .subject
        case .tenant: return .tenant
        case .streamSequence: return .streamSequence
        case .source: return .source
        case .type: return .type
        default: throw SchemaError(.invalidSource, element: element, "envelope attribute is unspecified")
        }
    }

    // MARK: - Query service

    private func message(named typeName: String, element: String) throws -> MessageEntry {
        let name = String(typeName.drop(while: { $0 == "." }))
        guard let entry = messagesByName[name] else {
            throw SchemaError(.invalidQuery, element: element, "message '\(name)' is not in the descriptor set")
        }
        return entry
    }

    private func loadMethod(_ method: Google_Protobuf_MethodDescriptorProto, service: String) throws -> QueryMethodSchema {
        let element = "\(service).\(method.name)"
        guard !method.clientStreaming, !method.serverStreaming else {
            throw SchemaError(.invalidQuery, element: element, "query RPCs cannot stream")
        }
        let options = method.options.Projection_V1_query
        let sqlName = options.hasSql ? options.sql : SchemaNaming.snakeCase(method.name)
        guard !sqlName.isEmpty, sqlName.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            throw SchemaError(.invalidQuery, element: element, "sql name '\(sqlName)' must match [a-z0-9_]+")
        }
        let request = try message(named: method.inputType, element: element)
        let response = try message(named: method.outputType, element: element)
        let requestFields = try request.proto.field.map { try queryField($0, in: request) }

        var shape = QueryResponseShape.message
        var row = response
        if response.proto.field.count == 1, let only = response.proto.field.first,
           only.type == .message, only.typeName != ".google.protobuf.Timestamp" {
            row = try message(named: only.typeName, element: element)
            shape = only.label == .repeated ? .rows(field: only.name) : .single(field: only.name)
        }
        let responseFieldNumber = response.proto.field.count == 1 ? Int(response.proto.field[0].number) : 1
        var responseFieldJSONName: String?
        if shape != .message, let only = response.proto.field.first, only.hasJsonName { responseFieldJSONName = only.jsonName }
        return QueryMethodSchema(
            name: method.name,
            sqlName: sqlName,
            requestMessage: request.fullName,
            requestFields: requestFields,
            responseMessage: response.fullName,
            response: shape,
            rowMessage: row.fullName,
            rowFields: try row.proto.field.map { try queryField($0, in: row) },
            responseFieldNumber: responseFieldNumber,
            responseFieldJSONName: responseFieldJSONName,
            hasNoSideEffects: method.options.idempotencyLevel == .noSideEffects
        )
    }

    private func queryField(_ field: Google_Protobuf_FieldDescriptorProto, in message: MessageEntry) throws -> QueryFieldSchema {
        let element = "\(message.fullName).\(field.name)"
        let typeName = String(field.typeName.drop(while: { $0 == "." }))
        let type: QueryFieldType
        switch field.type {
        case .string: type = .string
        case .bytes: type = .bytes
        case .bool: type = .bool
        case .int32, .sint32, .sfixed32: type = .int32
        case .int64, .sint64, .sfixed64: type = .int64
        case .uint32, .fixed32: type = .uint32
        case .uint64, .fixed64: type = .uint64
        case .float: type = .float
        case .double: type = .double
        case .enum: type = .enumeration(typeName)
        case .message, .group: type = typeName == "google.protobuf.Timestamp" ? .timestamp : .message(typeName)
        }
        let isRepeated = field.label == .repeated
        let isOptional = !isRepeated && (field.proto3Optional || field.type == .message || (!message.isProto3 && field.label == .optional))
        var hints: QueryParameterHints?
        if field.options.hasProjection_V1_param {
            let param = field.options.Projection_V1_param
            var valueType: ColumnType?
            if param.hasType {
                switch param.type {
                case .date: valueType = .date
                case .timestamp: valueType = .timestamp
                default: throw SchemaError(.invalidQuery, element: element, "param type must be DATE or TIMESTAMP")
                }
                guard type == .string else {
                    throw SchemaError(.invalidQuery, element: element, "param type applies to string fields only")
                }
            }
            let parsed = QueryParameterHints(
                isRequired: param.required,
                defaultValue: param.hasDefaultValue ? param.defaultValue : nil,
                minimum: param.hasMin ? param.min : nil,
                maximum: param.hasMax ? param.max : nil,
                valueType: valueType
            )
            if parsed.defaultValue != nil || parsed.minimum != nil || parsed.maximum != nil {
                guard [.int32, .int64, .uint32, .uint64].contains(type) else {
                    throw SchemaError(.invalidQuery, element: element, "default_value, min and max apply to integer fields only")
                }
            }
            // Checked here so a request never meets a default the field cannot hold.
            let typeRange = Self.range(of: type)
            for (option, value) in [("default_value", parsed.defaultValue), ("min", parsed.minimum), ("max", parsed.maximum)] {
                if let value, !typeRange.contains(value) {
                    throw SchemaError(.invalidQuery, element: element,
                        "\(option) \(value) does not fit the field's type \(field.type) (\(typeRange.lowerBound)...\(typeRange.upperBound))")
                }
            }
            let lower = parsed.minimum ?? .min, upper = parsed.maximum ?? .max
            guard lower <= upper else {
                throw SchemaError(.invalidQuery, element: element, "min \(lower) is above max \(upper)")
            }
            if let value = parsed.defaultValue, !(lower...upper).contains(value) {
                throw SchemaError(.invalidQuery, element: element, "default_value \(value) is outside min...max")
            }
            hints = parsed
        }
        let enumeration = field.type == .enum ? enumsByName[typeName] ?? [] : []
        return QueryFieldSchema(
            name: field.name,
            jsonName: field.hasJsonName ? field.jsonName : SchemaNaming.lowerCamelCase(field.name),
            number: Int(field.number),
            type: type,
            isRepeated: isRepeated,
            isOptional: isOptional,
            hints: hints,
            encoding: Self.encoding(of: field.type),
            enumValues: Dictionary(enumeration.map { ($0.name, $0.number) }, uniquingKeysWith: { first, _ in first }),
            enumNames: Dictionary(enumeration.map { ($0.number, $0.name) }, uniquingKeysWith: { first, _ in first }),
            enumDefault: enumeration.first?.name
        )
    }

    /// The values an integer field holds that a param hint (an int64) can state.
    private static func range(of type: QueryFieldType) -> ClosedRange<Int64> {
        switch type {
        case .int32: return Int64(Int32.min)...Int64(Int32.max)
        case .uint32: return 0...Int64(UInt32.max)
        case .uint64: return 0...Int64.max
        default: return Int64.min...Int64.max
        }
    }

    private static func encoding(of type: Google_Protobuf_FieldDescriptorProto.TypeEnum) -> QueryFieldEncoding {
        switch type {
        case .sint32, .sint64: return .zigzag
        case .fixed32, .fixed64, .sfixed32, .sfixed64: return .fixed
        default: return .plain
        }
    }
}
