// dmctl-compatible commands.
