// The typed client of the master API.
