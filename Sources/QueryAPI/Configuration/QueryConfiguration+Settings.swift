import Columnstore
import Foundation

extension QueryConfiguration {
    /// Reads every setting; an invalid one throws `ConfigurationError` naming it.
    init(settings: SettingsSource) throws {
        typealias S = QuerySettings
        let storeKind = try settings.oneOf(S.storeKind, choices: StoreKind.environmentChoices)
        let header = settings.string(S.tenantHeader)!.lowercased()
        guard !header.isEmpty, header.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_TENANT_HEADER", reason: "must be an HTTP header name ([a-z0-9_-]+)")
        }
        var tokens = TokenTable()
        // A token source that is given but names no token (an empty secret file, only comments, ";") would
        // start the server without authentication: fail closed instead.
        if let inline = settings.string(S.tokens) {
            let parsed = try TokenTable.parse(inline, separator: ";", setting: "PROJECTION_TOKENS")
            guard parsed.isEnabled else {
                throw ConfigurationError(code: .invalid, setting: "PROJECTION_TOKENS", reason: "names no token; unset it to run without tokens")
            }
            tokens.merge(parsed)
        }
        if let path = settings.string(S.tokensFile) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(code: .unreadableFile, setting: "PROJECTION_TOKENS_FILE", reason: "no readable file at \(path)")
            }
            let parsed = try TokenTable.parse(text, separator: "\n", setting: "PROJECTION_TOKENS_FILE")
            guard parsed.isEnabled else {
                throw ConfigurationError(code: .invalid, setting: "PROJECTION_TOKENS_FILE", reason: "the file names no token; unset it to run without tokens")
            }
            tokens.merge(parsed)
        }
        let concurrency = try settings.int(S.maxConcurrency)!
        let limits = QueryLimits(
            timeout: try settings.milliseconds(S.queryTimeout)!,
            maxRows: try settings.int(S.maxRows)!,
            maxResultBytes: try settings.int(S.maxResultBytes)!,
            maxConnections: concurrency)
        self.init(
            projection: settings.string(S.name),
            storeKind: storeKind,
            storeDSN: try settings.required(S.storeDSN, hint: "the DSN of the store to query (read-only user)"),
            httpPort: try settings.int(S.httpPort)!,
            httpHost: settings.string(S.httpHost)!,
            tenantHeader: header,
            multiTenant: try settings.bool(S.multiTenant),
            defaultTenant: settings.string(S.defaultTenant.name) ?? "",
            tokens: tokens,
            limits: limits,
            maxBodyBytes: try settings.int(S.maxBodyBytes)!,
            maxConcurrency: concurrency,
            maxConcurrencyPerTenant: try settings.int(S.maxConcurrencyPerTenant)!,
            idleTimeout: try settings.milliseconds(S.httpIdleTimeout)!,
            readTimeout: try settings.milliseconds(S.httpReadTimeout)!,
            maxConnections: try settings.int(S.httpMaxConnections)!,
            sqlDirectory: settings.string(S.sqlDirectory)!,
            descriptorSetPath: settings.string(S.descriptorSet))
    }
}
