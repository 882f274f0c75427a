// Scheduling module
