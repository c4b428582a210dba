import Foundation

/// Decodes CloudEvents 1.0 from NATS messages, in structured mode (a JSON body) or binary mode
/// (`ce-*` headers, the data as the body).
public struct FactDecoder: Sendable {
    public var maxFactBytes: Int

    public init(maxFactBytes: Int) {
        self.maxFactBytes = maxFactBytes
    }

    /// - Parameter header: looks up a NATS header, case-insensitively.
    public func decode(body: [UInt8], header: (String) -> String?) throws(FactRejection) -> FactEnvelope {
        guard body.count <= maxFactBytes else {
            throw FactRejection(code: .oversize, detail: "\(body.count) bytes exceeds the limit of \(maxFactBytes)")
        }
        if header("ce-specversion") != nil {
            return try decodeBinary(body: body, header: header)
        }
        return try decodeStructured(body: body)
    }

    private func decodeStructured(body: [UInt8]) throws(FactRejection) -> FactEnvelope {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw FactRejection(code: .invalidJSON, detail: "a structured CloudEvent must be a JSON object")
            }
            object = parsed
        } catch let rejection as FactRejection {
            throw rejection
        } catch {
            throw FactRejection(code: .invalidJSON, detail: "the body is not valid JSON")
        }
        func attribute(_ name: String) throws(FactRejection) -> String? {
            guard let value = object[name], !(value is NSNull) else { return nil }
            guard let string = value as? String else {
                throw FactRejection(code: .invalidEnvelope, field: name, detail: "must be a string")
            }
            return string
        }
        try checkSpecVersion(try attribute("specversion"))
        let data: [String: Any]
        switch object["data"] {
        case nil, is NSNull: data = [:]
        case let value as [String: Any]: data = value
        default: throw FactRejection(code: .invalidEnvelope, field: "data", detail: "must be a JSON object")
        }
        return FactEnvelope(
            id: try requiredAttribute("id", try attribute("id")),
            type: try requiredAttribute("type", try attribute("type")),
            source: try attribute("source") ?? "",
            time: try attribute("time"),
            tenant: try attribute("tenantid") ?? "",
            subject: try attribute("subject"),
            traceID: FactEnvelope.traceID(fromTraceparent: try attribute("traceparent")),
            correlationID: try attribute("correlationid"),
            data: data
        )
    }

    private func decodeBinary(body: [UInt8], header: (String) -> String?) throws(FactRejection) -> FactEnvelope {
        try checkSpecVersion(header("ce-specversion"))
        let data: [String: Any]
        if body.isEmpty {
            data = [:]
        } else {
            do {
                guard let parsed = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                    throw FactRejection(code: .invalidEnvelope, field: "data", detail: "must be a JSON object")
                }
                data = parsed
            } catch let rejection as FactRejection {
                throw rejection
            } catch {
                throw FactRejection(code: .invalidJSON, field: "data", detail: "the body is not valid JSON")
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
