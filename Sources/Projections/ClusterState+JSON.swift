extension ClusterState: Encodable {
    enum CodingKeys: String, CodingKey {
        case lastSequence, lastTimestamp, eventCount, scheduling, pessimism, optimism, checkpoints
    }

    /// JSON for `braid log replay` and the API; the binary snapshot is the durable form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.lastSequence, forKey: .lastSequence)
        try c.encode(self.lastTimestamp, forKey: .lastTimestamp)
        try c.encode(self.eventCount, forKey: .eventCount)
        try c.encode(self.scheduling, forKey: .scheduling)
        try c.encode(self.pessimism, forKey: .pessimism)
        try c.encode(self.optimism, forKey: .optimism)
        try c.encode(self.checkpoints, forKey: .checkpoints)
    }
}

extension CheckpointTable: Encodable {
    private struct Row: Encodable {
        var task: String
        var source: String
        var binlogName: String
        var binlogPos: UInt64
        var gtid: String?
        var at: Int64
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for key in self.points.keys.sorted() {
            let p = self.points[key]!
            try c.encode(Row(task: key.task.rawValue, source: key.source.rawValue, binlogName: p.position.file,
                             binlogPos: UInt64(p.position.pos), gtid: p.gtid.map { "\($0)" }, at: p.at))
        }
    }
}
