// Pessimism module
