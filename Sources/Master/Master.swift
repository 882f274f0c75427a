// The master daemon: leader loop, HTTP API, timers.
