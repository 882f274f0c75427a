import BraidTestSupport
import Foundation
import Master
import Testing
import Worker

@Suite("SecretKey")
struct SecretKeyTests {
    static let hexKey = String(repeating: "0f", count: 32)

    @Test("opens what the master's SecretBox sealed, from the same key file")
    func interoperatesWithMaster() throws {
        try withTemporaryDirectory(sync: { dir in
            let file = dir + "/key"
            try Self.hexKey.write(toFile: file, atomically: true, encoding: .utf8)
            let box = try SecretBox.load(keyFile: file)
            let key = try #require(SecretKey(fileContents: try Data(contentsOf: URL(fileURLWithPath: file))))
            let sealed = box.seal("pw-s1")
            #expect(sealed.hasPrefix(SecretKey.prefix))
            #expect(key.open(sealed) == "pw-s1")
            #expect(box.open(try key.seal("back")) == "back")
            #expect(key.open("plain") == "plain")
        })
    }

    @Test("a different key does not open a sealed password")
    func wrongKey() throws {
        let key = try #require(SecretKey(fileContents: Data(Self.hexKey.utf8)))
        let other = try #require(SecretKey(fileContents: Data(repeating: 7, count: 32)))
        #expect(other.open(try key.seal("pw")) == nil)
        #expect(SecretKey(fileContents: Data("short".utf8)) == nil)
    }
}
