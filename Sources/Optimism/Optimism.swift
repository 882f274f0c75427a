// Optimism module
