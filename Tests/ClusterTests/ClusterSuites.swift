import Testing

/// Every multi-process suite runs inside this one, one test at a time: each starts real servers and
/// braid processes, and two cores cannot run several clusters at once without starving every
/// other suite's deadlines.
@Suite(.serialized) enum ClusterSuites {}
