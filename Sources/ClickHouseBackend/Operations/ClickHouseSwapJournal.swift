import Columnstore
import Foundation

/// How far a ClickHouse cutover, rollback or tenant cutover has got, kept in the store so that a swap stopped
/// part-way (a crash, a lost connection) is finished by running the command again instead of leaving the live
/// namespace half moved.
///
/// ClickHouse has no multi-statement transaction, so a swap is a sequence of steps, each of which can be
/// run again with the same result as long as the steps before it are done (`Step`). The journal is
/// written before the first step changes anything and after each step, and marked done after the last. It
/// records what the command knew when it started (consumers, lease epochs, keep-previous) and the tables'
/// UUIDs then, so a resumed `EXCHANGE TABLES` can tell whether it already happened: an exchange is the one
/// step that would undo itself if repeated.
///
/// It lives as one row of `_projection_checkpoints` in the namespace `<projection>__cutover` (JSON in
/// `batch_scope`, the step in `version`), so it needs no table of its own, and every query of a live or
/// rebuild namespace passes it by.
struct ClickHouseSwapJournal: Codable, Equatable, Sendable {
    static let namespaceSuffix = "__cutover"

    struct Consumer: Codable, Equatable, Sendable {
        var consumer: String
        var partition: Int
    }

    /// `__rebuild` for a cutover, `__previous` for a rollback.
    var incomingSuffix: String
    /// The incoming internal namespace (`<projection>__rebuild` or `<projection>__previous`).
    var incomingProjection: String
    var keepPrevious: Bool
    /// The live consumers whose checkpoint rows move (one per partition).
    var consumers: [Consumer]
    /// partition → lease epoch the live checkpoint rows are raised to (replica mode), as text keys.
    var leaseEpochs: [String: UInt64]
    /// The projection's tables, in the order their steps run.
    var tables: [String]
    /// Table name → its UUID before the first exchange, for `<table>` and `<table><incomingSuffix>`.
    var uuids: [String: String]
    /// The next step to run (`Step(rawValue:)` for the internal rows, then one per table); `totalSteps`
    /// once the swap is done. A done journal stays (a command that lost the answer to its last write can
    /// tell "finished" from "never started") until the next swap writes its own.
    var next: Int
    /// The row version of this swap's first record: versions keep rising across swaps, so the newest row is
    /// always the current swap's.
    var versionBase: UInt64
    /// A tenant cutover's tenant (`TenantStep`); nil for a whole-namespace cutover or rollback. Journals
    /// written before tenant cutovers had one have none, and decode as whole-namespace swaps.
    var tenant: String?
    /// A tenant cutover: the paused live checkpoint its seen keys are copied against.
    var liveCheckpoint: UInt64?

    var isDone: Bool { next >= totalSteps }

    /// The `next` a finished journal records. A tenant cutover has fewer steps than a whole swap of the same
    /// tables, and a release that does not know tenant journals reads every journal as a whole swap: so a
    /// finished one records at least the whole swap's count, which that release reads as done too (and its
    /// ingest loads the checkpoint after a binary rollback).
    var doneStep: Int { max(totalSteps, Self.internalSteps + tables.count) }

    /// The first row version of the swap after this one: above every row this one wrote.
    var nextVersionBase: UInt64 { versionBase + UInt64(max(next, doneStep)) + 1 }

    /// A tenant cutover's steps. Each one replaces the tenant's rows from a source the steps before it
    /// leave in place (the rebuild namespace and the shadow tables), so it can run again.
    enum TenantStep: Int, CaseIterable {
        /// The tenant's live seen keys become the rebuilt ones.
        case replaceKeys
        /// The tenant's live quarantine entries become the rebuilt ones.
        case replaceQuarantine
        // Then one step per table: the tenant's rows from the shadow table, which is then dropped (a
        // table whose shadow is gone is done). Last, `clearRebuild`.
    }

    /// The steps in order. Each one is repeatable once the ones before it are done.
    enum Step: Int, CaseIterable {
        /// Internal rows: the parking namespace gets a copy of the live ones.
        case parkLive
        /// Internal rows: the live namespace gets the incoming ones (checkpoints raised to the leases).
        case moveIncomingIn
        /// Internal rows: the incoming namespace is emptied. Before `keepParked`: a rollback's incoming
        /// namespace *is* `__previous`, which that step fills.
        case clearIncoming
        /// Internal rows: `__previous` gets the parked copy (`keepPrevious`), or is emptied.
        case keepParked
        /// Internal rows: the parking namespace is emptied.
        case clearParked
        // Then one step per table, in schema order: exchange, then drop or keep the replaced one.
    }

    static var internalSteps: Int { Step.allCases.count }

    /// The steps before the first table's.
    var leadingSteps: Int { tenant == nil ? Self.internalSteps : TenantStep.allCases.count }

    /// A tenant cutover ends with one more step: the rebuild namespace's internal rows are cleared.
    var totalSteps: Int { leadingSteps + tables.count + (tenant == nil ? 0 : 1) }

    /// `cutover`, `rollback` or `tenant cutover`.
    var kind: String {
        if tenant != nil { return "tenant cutover" }
        return incomingSuffix == RebuildGeneration.previousSuffix ? "rollback" : "cutover"
    }

    /// The command that finishes this swap when run again (it starts nothing new).
    var rerun: String {
        if let tenant { return "rebuild --tenant \(tenant) --cutover" }
        return kind == "rollback" ? "rollback" : "rebuild --cutover"
    }

    /// The table step `index` runs, if it is one.
    func table(atStep index: Int) -> String? {
        let table = index - leadingSteps
        return table >= 0 && table < tables.count ? tables[table] : nil
    }

    /// A short name of step `index`, for messages.
    func describe(step index: Int) -> String {
        if let tenant {
            if let step = TenantStep(rawValue: index) {
                switch step {
                case .replaceKeys: return "replace tenant \(tenant)'s seen keys"
                case .replaceQuarantine: return "replace tenant \(tenant)'s quarantine entries"
                }
            }
            if let table = table(atStep: index) { return "replace tenant \(tenant)'s rows of table \(table)" }
            return index < totalSteps ? "clear the rebuild's checkpoints, seen keys and quarantine" : "done"
        }
        if let step = Step(rawValue: index) {
            switch step {
            case .parkLive: return "park the live checkpoints, seen keys and quarantine"
            case .moveIncomingIn: return "move the incoming checkpoints, seen keys and quarantine in"
            case .clearIncoming: return "clear the incoming namespace"
            case .keepParked: return "keep the replaced ones as \(RebuildGeneration.previousSuffix)"
            case .clearParked: return "clear the parking namespace"
            }
        }
        return table(atStep: index).map { "exchange table \($0)" } ?? "done"
    }

    /// The journal of a swap about to start.
    init(incomingSuffix: String, incomingProjection: String, keepPrevious: Bool, generation: RebuildGeneration, tables: [String], uuids: [String: String]) {
        self.incomingSuffix = incomingSuffix
        self.tables = tables
        self.incomingProjection = incomingProjection
        self.keepPrevious = keepPrevious
        self.consumers = generation.consumers.map { Consumer(consumer: $0.consumer, partition: $0.partition) }
        self.leaseEpochs = Dictionary(uniqueKeysWithValues: generation.leaseEpochs.map { (String($0.key), $0.value) })
        self.uuids = uuids
        self.next = 0
        self.versionBase = 0
    }

    /// The journal of a tenant cutover about to start: the tenant's rows move from the `__rebuild` shadow
    /// tables and namespace into the live ones; every other row stays.
    init(tenant: String, liveCheckpoint: UInt64, generation: RebuildGeneration, tables: [String]) {
        self.init(incomingSuffix: RebuildGeneration.rebuildSuffix, incomingProjection: generation.rebuild.projection, keepPrevious: false,
                  generation: generation, tables: tables, uuids: [:])
        self.tenant = tenant
        self.liveCheckpoint = liveCheckpoint
    }

    /// The generation the swap moves, as recorded: a resumed swap moves the same consumers, with each
    /// partition's epoch at least the one recorded (a resume under newer leases raises it further).
    func generation(live: RebuildGeneration) -> RebuildGeneration {
        let consumers = self.consumers.map { ConsumerID(projection: live.live.projection, consumer: $0.consumer, partition: $0.partition) }
        var generation = RebuildGeneration(live: consumers.first ?? live.live, consumers: consumers)
        var epochs = live.leaseEpochs
        for (key, epoch) in leaseEpochs {
            guard let partition = Int(key) else { continue }
            epochs[partition] = max(epochs[partition] ?? 0, epoch)
        }
        generation.leaseEpochs = epochs
        return generation
    }

    enum CodingKeys: String, CodingKey {
        case incomingSuffix, incomingProjection, keepPrevious, consumers, leaseEpochs, tables, uuids, next, versionBase, tenant, liveCheckpoint
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        incomingSuffix = try c.decode(String.self, forKey: .incomingSuffix)
        incomingProjection = try c.decode(String.self, forKey: .incomingProjection)
        keepPrevious = try c.decode(Bool.self, forKey: .keepPrevious)
        consumers = try c.decode([Consumer].self, forKey: .consumers)
        leaseEpochs = try c.decode([String: UInt64].self, forKey: .leaseEpochs)
        tables = try c.decode([String].self, forKey: .tables)
        uuids = try c.decodeIfPresent([String: String].self, forKey: .uuids) ?? [:]
        next = try c.decode(Int.self, forKey: .next)
        versionBase = try c.decode(UInt64.self, forKey: .versionBase)
        tenant = try c.decodeIfPresent(String.self, forKey: .tenant)
        liveCheckpoint = try c.decodeIfPresent(UInt64.self, forKey: .liveCheckpoint)
    }

    /// An unfinished tenant cutover writes `uuids` as null: a release that does not know tenant journals
    /// then finds the journal unreadable and refuses (its ingest does not load the checkpoint, its migrate
    /// starts nothing), instead of reading it as a whole swap and running a whole swap's steps on it.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(incomingSuffix, forKey: .incomingSuffix)
        try c.encode(incomingProjection, forKey: .incomingProjection)
        try c.encode(keepPrevious, forKey: .keepPrevious)
        try c.encode(consumers, forKey: .consumers)
        try c.encode(leaseEpochs, forKey: .leaseEpochs)
        try c.encode(tables, forKey: .tables)
        if tenant != nil && !isDone {
            try c.encodeNil(forKey: .uuids)
        } else {
            try c.encode(uuids, forKey: .uuids)
        }
        try c.encode(next, forKey: .next)
        try c.encode(versionBase, forKey: .versionBase)
        try c.encodeIfPresent(tenant, forKey: .tenant)
        try c.encodeIfPresent(liveCheckpoint, forKey: .liveCheckpoint)
    }

    var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Strings, integers and a Bool only: encoding cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    init(encoded: String) throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(encoded.utf8))
        } catch {
            throw StoreError(code: .unexpectedResponse, detail: "unreadable cutover journal (\(encoded.utf8.count) bytes)")
        }
    }
}
