// Package reports turns callsim results into text for people and files for
// tools. Renderers take result structs and a writer; they never reach back
// into the engines.
package reports
