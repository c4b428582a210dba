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
            // The event count is checked while parsing: the element one over the cap is refused before it is built.
            guard case .array(let items) = try Self.json(body, maxTopLevelElements: maxBatchEvents) else {
                throw IngressError(.invalidEvent, attribute: "body", "a batch must be a JSON array of events")
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

    /// The JSON values one request body may build at most: 1024 plus one for every 4 bytes. Real events
    /// spend far more bytes a value (`"amount_cents":1500,` is 20 bytes for two); a body of bare
    /// small numbers (`[0,0,0,…]`, 2 bytes each, 24 bytes each once parsed) is refused (413) before its
    /// parsed form passes about 6 times the body's bytes, instead of reaching 12 or more.
    static func maxValues(bodyBytes: Int) -> Int {
        1024 + bodyBytes / 4
    }

    static func json(_ body: [UInt8], maxTopLevelElements: Int? = nil, attribute: String = "body") throws(IngressError) -> JSONValue {
        do throws(JSONParseError) {
            return try JSONParser.parse(body, limits: .init(maxValues: maxValues(bodyBytes: body.count), maxTopLevelElements: maxTopLevelElements))
        } catch {
            switch error.limit {
            case .topLevelElements?:
                throw IngressError(.tooLarge, attribute: "body", "a batch holds at most \(maxTopLevelElements ?? 0) events")
            case .values?:
                throw IngressError(.tooLarge, attribute: attribute,
                                   "more than \(maxValues(bodyBytes: body.count)) JSON values (1024 + one per 4 body bytes)")
            case nil:
                if attribute == "data" {
                    throw IngressError(.invalidEvent, attribute: "data", "the body is not valid JSON (\(error.reason) at byte \(error.offset))")
                }
                throw IngressError(.invalidEvent, attribute: "body", "not valid JSON (\(error.reason) at byte \(error.offset))")
            }
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
            // A repeated header has no single value (and a proxy may have joined the copies with commas).
            guard seen.insert(name).inserted else {
                throw IngressError(.invalidEvent, attribute: String(name.prefix(64)), "the header is repeated")
            }
            // The HTTP binding maps `datacontenttype` to Content-Type in binary mode, never to a ce- header.
            guard name != "datacontenttype" else {
                throw IngressError(.invalidEvent, attribute: "datacontenttype", "in binary mode it is the Content-Type header, not ce-datacontenttype")
            }
            // The binding (3.1.3.2): first undo an RFC 7230 quoted-string, then one round of percent-decoding.
            guard let unquoted = Self.unquoted(header.value) else {
                throw IngressError(.invalidEvent, attribute: name, "the header value is a malformed quoted-string")
            }
            guard let value = unquoted.removingPercentEncoding else {
                throw IngressError(.invalidEvent, attribute: name, "the header value is not valid percent-encoded UTF-8")
            }
            attributes.append((key: name, value: .string(value)))
        }
        if let contentType {
            attributes.append((key: "datacontenttype", value: .string(contentType)))
        }
        let data: JSONValue? = body.isEmpty ? nil : try json(body, attribute: "data")
        return try IngressEvent(attributes: attributes, data: data)
    }

    /// `value` without its RFC 7230 (3.2.6) quoted-string form, if it has one: `"o-1"` → `o-1`,
    /// `"a \"b\""` → `a "b"`. nil when a quoted value is malformed (an unescaped `"` inside, a
    /// trailing `\`); a value that does not start with `"` is returned as it is.
    static func unquoted(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        guard bytes.first == UInt8(ascii: "\"") else { return value }
        guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 1
        while i < bytes.count - 1 {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count - 1 else { return nil }
                out.append(bytes[i + 1])
                i += 2
            } else {
                guard byte != UInt8(ascii: "\"") else { return nil }
                out.append(byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
