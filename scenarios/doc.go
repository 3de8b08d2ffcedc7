// Package scenarios reads, validates and defaults callsim scenario files, and
// holds the built-in scenario library.
//
// A scenario is YAML. Parsing is strict: an unknown key, a wrong type or an
// impossible value is an error naming the file, line and column, and every
// error of a file is reported at once.
package scenarios
