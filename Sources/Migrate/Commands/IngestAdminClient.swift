import Columnstore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Talks to a projection-ingest's HTTP port: `/admin/ingestion`, and the token-protected admin operations.
struct IngestAdminClient: Sendable {
    let baseURL: String
    let token: String?

    func ingestion() async throws -> [String: Any] {
        try await send("GET", "/admin/ingestion")
    }

    @discardableResult
    func post(_ path: String) async throws -> [String: Any] {
        try await send("POST", path)
    }

    private func send(_ method: String, _ path: String) async throws -> [String: Any] {
        guard let url = URL(string: baseURL + path) else {
            throw RebuildError(code: .ingestUnavailable, detail: "not a URL: \(baseURL)")
        }
        var request = URLRequest(url: url, timeoutInterval: 60)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw RebuildError(code: .ingestUnavailable, detail: "\(method) \(path) on \(baseURL): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let body = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        guard status == 200 else {
            throw RebuildError(code: .ingestUnavailable, detail: "\(method) \(path) on \(baseURL) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return body
    }
}
