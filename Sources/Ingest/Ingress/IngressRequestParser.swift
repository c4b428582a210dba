import Columnstore
import Foundation

/// Turns an HTTP request (Content-Type, `ce-*` headers, body) into validated events, or a precise
/// error (CloudEvents HTTP protocol binding 1.0, JSON event format). Pure: no I/O.
struct IngressRequestParser: Sendable {
    /// Most events one batch may hold.
    var maxBatchEvents: Int

    static let structuredType = "application/cloudevents+json"
    static let batchType = "application/cloudevents-batch+json"

    /// - Parameters:
    ///   - contentType: the Content-Type header, if any.
    ///   - ceHeaders: every `ce-*` header (name as sent, value as sent); binary mode when one is `ce-specversion`.
    func parse(contentType: String?, ceHeaders: [(name: String, value: String)], body: [UInt8]) throws(IngressError) -> (mode: IngressMode, events: [IngressEvent]) {
        let media = contentType.flatMap { $0.split(separator: ";", maxSplits: 1).first }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if media == Self.structuredType {
            return (.structured, [try Self.structured(try Self.json(body))])
        }
        if media == Self.batchType {
            guard case .array(let items) = try Self.json(body) else {
                throw IngressError(.invalidEvent, attribute: "body", "a batch must be a JSON array of events")
            }
            guard items.count <= maxBatchEvents else {
                throw IngressError(.tooLarge, attribute: "body", "a batch holds at most \(maxBatchEvents) events (this one \(items.count))")
            }
            var events: [IngressEvent] = []
            events.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                do throws(IngressError) { events.append(try Self.structured(item)) } catch { throw error.at(index) }
            }
            return (.batch, events)
        }
        if ceHeaders.contains(where: { $0.name.lowercased() == "ce-specversion" }) {
            if let contentType, !IngressEvent.isJSONMediaType(contentType) {
                throw IngressError(.unsupportedMediaType, attribute: "Content-Type", "binary mode takes JSON data only (application/json or a +json type)")
            }
            return (.binary, [try Self.binary(contentType: contentType, ceHeaders: ceHeaders, body: body)])
        }
        throw IngressError(.unsupportedMediaType, attribute: "Content-Type",
                           "send \(Self.structuredType), \(Self.batchType), or binary mode (ce-specversion and the other ce-* headers, JSON data)")
    }

    static func json(_ body: [UInt8]) throws(IngressError) -> JSONValue {
        do throws(JSONParseError) {
            return try JSONParser.parse(body)
        } catch {
            throw IngressError(.invalidEvent, attribute: "body", "not valid JSON (\(error.reason) at byte \(error.offset))")
        }
    }

    static func structured(_ value: JSONValue) throws(IngressError) -> IngressEvent {
        guard case .object(let members) = value else {
            throw IngressError(.invalidEvent, attribute: "body", "a structured event must be a JSON object")
        }
        var attributes: [(key: String, value: JSONValue)] = []
        var data: JSONValue?
        for member in members {
            switch member.key {
            case "data": data = member.value
            case "data_base64": throw IngressError(.invalidEvent, attribute: "data_base64", "binary data is not accepted: data must be a JSON object")
            default: attributes.append(member)
            }
        }
        return try IngressEvent(attributes: attributes, data: data)
    }

    static func binary(contentType: String?, ceHeaders: [(name: String, value: String)], body: [UInt8]) throws(IngressError) -> IngressEvent {
        var attributes: [(key: String, value: JSONValue)] = []
        var seen: Set<String> = []
        for header in ceHeaders {
            let name = String(header.name.dropFirst(3)).lowercased()
            // A repeated header: the first value counts (HTTP may also have joined them).
            guard seen.insert(name).inserted else { continue }
            guard let value = header.value.removingPercentEncoding else {
                throw IngressError(.invalidEvent, attribute: name, "the header value is not valid percent-encoded UTF-8")
            }
            attributes.append((key: name, value: .string(value)))
        }
        if let contentType, !seen.contains("datacontenttype") {
            attributes.append((key: "datacontenttype", value: .string(contentType)))
        }
        let data: JSONValue?
        if body.isEmpty {
            data = nil
        } else {
            do throws(JSONParseError) {
                data = try JSONParser.parse(body)
            } catch {
                throw IngressError(.invalidEvent, attribute: "data", "the body is not valid JSON (\(error.reason) at byte \(error.offset))")
            }
        }
        return try IngressEvent(attributes: attributes, data: data)
    }
}
