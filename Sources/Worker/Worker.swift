// The worker daemon.
