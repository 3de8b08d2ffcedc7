// Package cli builds the callsim command tree. Each subcommand lives in a file
// of its own and registers itself with register; the commands are thin: they
// parse flags, call the library packages and print.
package cli
