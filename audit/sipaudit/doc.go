// Package sipaudit places an audit's test calls over SIP, through the load
// generator (package loadgen), and hands the calls to package audit, which
// sums them up. Package audit itself links no SIP stack, so that its
// reports render without the generator.
package sipaudit
