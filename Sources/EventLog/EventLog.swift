// EventLog module
