import ArgumentParser
import Columnstore
import Foundation

/// Turns a failure into a message on stderr and an exit code, so nothing (no DSN, no stack) but
/// the error's safe description reaches the operator.
///
/// Exit codes: 1 migration or store failure (including an edited applied migration),
/// 2 invalid configuration, 3 the lock stayed taken for `--lock-timeout`.
enum CommandFailure {
    static func exit(for error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data("projection-migrate: \(error)\n".utf8))
        switch error {
        case is ConfigurationError: return ExitCode(2)
        case let error as MigrationError where error.code == .lockTimeout: return ExitCode(3)
        default: return ExitCode(1)
        }
    }
}
