package scenarios

import _ "embed"

//go:embed REFERENCE.md
var reference string

// Reference returns the scenario format reference (REFERENCE.md, Markdown):
// every key, its type, default and meaning.
func Reference() string { return reference }
