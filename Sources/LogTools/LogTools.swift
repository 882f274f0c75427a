// LogTools module
