/// The subtask pipeline of a worker (ARCHITECTURE.md, "Worker: the data plane"):
/// binlog reader → router → schema tracker → shard coordinator → applier → downstream.
public enum Replication {}
