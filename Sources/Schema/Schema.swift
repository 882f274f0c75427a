// Schema module
