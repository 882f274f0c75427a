import Testing
@testable import Worker

@Suite struct TermFenceTests {
    /// A deposed leader's late view (lower term) is refused; equal and newer terms pass.
    @Test func refusesViewsFromOlderTermsOnly() {
        let fence = TermFence()
        #expect(fence.admit(5))
        #expect(fence.admit(5))
        #expect(fence.admit(983))
        #expect(!fence.admit(5), "a view of term 5 after term 983 is stale")
        #expect(fence.current == 983)
        #expect(fence.admit(1000))
    }
}
