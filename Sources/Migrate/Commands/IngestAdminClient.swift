import Columnstore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Talks to a projection-ingest's HTTP port: `/admin/ingestion`, and the token-protected admin operations.
struct IngestAdminClient: Sendable {
    let baseURL: String
    let token: String?

    func ingestion() async throws -> IngestionProgress {
        try await send("GET", "/admin/ingestion")
    }

    func pause() async throws -> PauseAnswer {
        try await send("POST", "/admin/pause")
    }

    @discardableResult
    func resume() async throws -> PauseAnswer {
        try await send("POST", "/admin/resume")
    }

    @discardableResult
    func reload() async throws -> ReloadAnswer {
        try await send("POST", "/admin/reload")
    }

    private func send<Answer: Decodable>(_ method: String, _ path: String) async throws -> Answer {
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
        guard status == 200 else {
            throw RebuildError(code: .ingestUnavailable, detail: "\(method) \(path) on \(baseURL) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw RebuildError(code: .ingestUnavailable, detail: "\(method) \(path) on \(baseURL): unexpected answer \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }
}
