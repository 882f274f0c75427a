import ArgumentParser
import LogTools

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Drive a scripted shard-DDL scenario through the engine into a real log, printing each step.")
    @OptionGroup var data: DataDirOption

    func run() async throws {
        try await DemoScenario.run(dataDir: self.data.dataDir) { print($0) }
    }
}
