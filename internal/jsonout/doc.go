// Package jsonout encodes callsim's results as JSON without ever failing on
// a number JSON cannot hold: encoding/json refuses NaN and ±Inf, so one
// overflowing figure would lose a whole result. MarshalIndent writes such a
// number as null and leaves everything else as encoding/json writes it.
package jsonout
