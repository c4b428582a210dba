import Columnstore

/// Decodes CloudEvents 1.0 from NATS messages, in structured mode (a JSON body) or binary mode
/// (`ce-*` headers, the data as the body).
public struct FactDecoder: Sendable {
    public var maxFactBytes: Int

    public init(maxFactBytes: Int) {
        self.maxFactBytes = maxFactBytes
    }

    /// - Parameter header: looks up a NATS header, case-insensitively.
    public func decode(body: [UInt8], header: (String) -> String?) throws(FactRejection) -> FactEnvelope {
        let result: Result<FactEnvelope, FactRejection> = body.withUnsafeBytes { bytes in
            do throws(FactRejection) {
                return .success(try decode(bytes: bytes, header: header))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes the body in place, e.g. in the buffer libnats received it into (valid during the call).
    public func decode(bytes: UnsafeRawBufferPointer, header: (String) -> String?) throws(FactRejection) -> FactEnvelope {
        guard bytes.count <= maxFactBytes else {
            throw FactRejection(code: .oversize, detail: "\(bytes.count) bytes exceeds the limit of \(maxFactBytes)")
        }
        let body = bytes.assumingMemoryBound(to: UInt8.self)
        if header("ce-specversion") != nil {
            return try decodeBinary(body: body, header: header)
        }
        return try decodeStructured(body: body)
    }

    private func decodeStructured(body: UnsafeBufferPointer<UInt8>) throws(FactRejection) -> FactEnvelope {
        // The top level is read straight into the attributes (no member list to build and drop).
        let envelope: FactJSONParser.Envelope
        do throws(JSONParseError) {
            envelope = try FactJSONParser.parseEnvelope(body)
        } catch {
            throw FactRejection(code: .invalidJSON, detail: "the body is not valid JSON")
        }
        guard case .attributes(let attributes) = envelope else {
            throw FactRejection(code: .invalidJSON, detail: "a structured CloudEvent must be a JSON object")
        }
        func attribute(_ name: String, _ value: JSONValue?) throws(FactRejection) -> String? {
            switch value {
            case nil, .null?: return nil
            case .string(let string)?: return string
            default: throw FactRejection(code: .invalidEnvelope, field: name, detail: "must be a string")
            }
        }
        try checkSpecVersion(try attribute("specversion", attributes.specversion))
        let data: JSONValue
        switch attributes.data {
        case nil, .null?: data = .object([])
        case .object(let dataMembers)?: data = .object(dataMembers)
        default: throw FactRejection(code: .invalidEnvelope, field: "data", detail: "must be a JSON object")
        }
        return FactEnvelope(
            id: try requiredAttribute("id", try attribute("id", attributes.id)),
            type: try requiredAttribute("type", try attribute("type", attributes.type)),
            source: try attribute("source", attributes.source) ?? "",
            time: try attribute("time", attributes.time),
            tenant: try attribute("tenantid", attributes.tenantid) ?? "",
            subject: try attribute("subject", attributes.subject),
            traceID: FactEnvelope.traceID(fromTraceparent: try attribute("traceparent", attributes.traceparent)),
            correlationID: try attribute("correlationid", attributes.correlationid),
            data: data
        )
    }

    private func decodeBinary(body: UnsafeBufferPointer<UInt8>, header: (String) -> String?) throws(FactRejection) -> FactEnvelope {
        try checkSpecVersion(header("ce-specversion"))
        let data: JSONValue
        if body.isEmpty {
            data = .object([])
        } else {
            do throws(JSONParseError) {
                data = try FactJSONParser.parse(body)
            } catch {
                throw FactRejection(code: .invalidJSON, field: "data", detail: "the body is not valid JSON")
            }
            guard case .object = data else {
                throw FactRejection(code: .invalidEnvelope, field: "data", detail: "must be a JSON object")
            }
        }
        return FactEnvelope(
            id: try requiredAttribute("id", header("ce-id")),
            type: try requiredAttribute("type", header("ce-type")),
            source: header("ce-source") ?? "",
            time: header("ce-time"),
            tenant: header("ce-tenantid") ?? "",
            subject: header("ce-subject"),
            traceID: FactEnvelope.traceID(fromTraceparent: header("ce-traceparent") ?? header("traceparent")),
            correlationID: header("ce-correlationid"),
            data: data
        )
    }

    private func checkSpecVersion(_ version: String?) throws(FactRejection) {
        guard let version else {
            throw FactRejection(code: .invalidEnvelope, field: "specversion", detail: "is required")
        }
        guard version.hasPrefix("1.") || version == "1" else {
            throw FactRejection(code: .invalidEnvelope, field: "specversion", detail: "unsupported version \(version)")
        }
    }

    private func requiredAttribute(_ name: String, _ value: String?) throws(FactRejection) -> String {
        guard let value, !value.isEmpty else {
            throw FactRejection(code: .invalidEnvelope, field: name, detail: "is required")
        }
        return value
    }
}
