import ArgumentParser
import Ctl
import Foundation

/// The executable's entry for `braid ctl ...`: swift-argument-parser parses the command tree (so `--help`
/// works at every level), but a usage error is answered as ctl's JSON reply with exit 2, as scripts expect.
enum CtlEntry {
    static func main(_ arguments: [String]) async {
        do {
            var command = try Braid.parseAsRoot(CtlCommand.normalized(arguments))
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = Braid.exitCode(for: error)
            guard code == .validationFailure else { Braid.exit(withError: error) }
            print(Ctl.parseFailure(error, root: Braid.self).json)
            Foundation.exit(2)
        }
    }
}
