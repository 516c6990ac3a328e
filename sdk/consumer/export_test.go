package consumer

// ParseFinished exposes parseFinished to the process tests, which read the
// commit metadata a killed consumer left.
var ParseFinished = parseFinished
