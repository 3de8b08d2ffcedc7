// Package inputfile reads the files callsim is given (scenarios, forecasts,
// callers, billing exports, claims, passwords, result JSON) with a bound on
// each: a size limit per kind of file, regular files only (a FIFO, a
// device such as /dev/zero or a directory is refused before a byte is
// read), or standard input when the user names "-" (bounded too), and a
// read that a cancelled context ends at once, even on a pipe that never
// delivers.
//
// Errors name the file, its kind and the limit, and say what to do.
package inputfile
