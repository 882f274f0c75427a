import ArgumentParser

/// One dmctl command: parsed by swift-argument-parser, answered as dmctl-shaped JSON.
///
/// `reply` does the work against a `Ctl` (so tests run it in-process with a client of their own);
/// `run` is the executable's path: build the client from the global options, print, exit.
protocol CtlSubcommand: AsyncParsableCommand {
    var global: CtlGlobalOptions { get }
    func reply(_ ctl: Ctl) async throws -> [String: Any]
}

extension CtlSubcommand {
    func run() async throws {
        let result: Ctl.Result
        do throws(CtlError) {
            let client = try Ctl.client(masters: self.global.master, token: try self.global.token())
            result = await Ctl(client: client).execute(self)
        } catch {
            result = Ctl.failure(error.message, exitCode: error.exitCode)
        }
        print(result.json)
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}
