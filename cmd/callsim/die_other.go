//go:build !unix

package main

import "os"

// dieBy does nothing where signals cannot be raised: the caller exits.
func dieBy(os.Signal) {}
