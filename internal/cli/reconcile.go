package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/internal/inputfile"
	"github.com/callsim/callsim/internal/jsonout"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/reconcile"
	"github.com/callsim/callsim/reports"
)

func init() { register(newReconcileCmd) }

func newReconcileCmd(e *env) *cobra.Command {
	var (
		cdrPath, billingPath, jsonPath string
		recordingsPath                 string
		tolerance, increment           time.Duration
		list                           int
	)
	cmd := &cobra.Command{
		Use:   "reconcile --billing THEIRS.csv [--cdr OURS.csv] [--recordings DIR]",
		Short: "Match a vendor's billing export with the calls placed (our CDR) and the call recordings, and find over-billing",
		Long: `Sets the call detail records written by "callsim load --cdr" beside a vendor's
billing export and reports calls billed but never placed, calls billed longer
than measured, and calls placed but never billed, with billed minus measured
seconds per call and in total.

Billing CSV: a header line naming the columns (any order and case; others are
ignored):
  call_id          (or callid, call-id, sip_call_id)
  caller           (or from, ani, caller_id, calling_number)
  start_time       RFC 3339 or "2006-01-02 15:04:05", UTC (or start, connect_time, answer_time)
  billed_seconds   decimal (or billed_sec, billsec, billed_duration)
  rate             optional price per billed minute (or rate_per_minute)
billed_seconds is required, and call_id or caller + start_time on each line.
Commas separate the fields, or semicolons or tabs when the header has no
comma; numbers may use a decimal comma.

A line is matched by call id, else by caller and start time: the unmatched
call whose answer time is nearest, within --tolerance, and whose caller (the
CDR's from column) is the same when both sides name one; pairs with the same
caller are matched first, and a line or call without a caller is matched by
start time only. Callers compare on the user part, without a leading + (so
+4930111, 4930111 and sip:+4930111@carrier are one caller). The measured duration is the CDR's duration_ms
(ACK to hang-up). Disputed: a matched call billed more than its measure
rounded up to --increment plus --tolerance (by the difference), and a billed
line with no call behind it (in full); with rates, the amount too.

Recordings: --recordings DIR sets each call's recording beside its billed
and measured durations: WAV files named CALL-ID.wav, or listed in DIR's
manifest.csv (columns call_id and file, the file relative to DIR; or give
the manifest's path as --recordings). A recording's duration comes from its
WAV header (RIFF fmt and data chunks: frames over the sample rate for PCM
and G.711, the fact chunk or the byte rate for other formats; only the
header is read); a file that is not a WAV file is listed with the reason.
A billed line is found its recording by its call id, or by the call id of
the CDR call it matched. Then:
  - a call of ours (matched) is judged on our CDR as above; a recording
    much shorter than the billed time (beyond the increment and
    tolerance) is listed, as is a call of ours with no recording (missing
    recordings: answered calls, billed or not);
  - a billed line with no call of ours (the vendor's other callers, or all
    of them without --cdr) is judged on its recording: disputed by the
    billed time beyond the recording rounded up to --increment plus
    --tolerance ("much shorter"), or in full when it has no recording
    either (billed without a call);
  - recordings no billing line names are listed apart.
--cdr may then be left out.

Exit code 0 when nothing is disputed, 99 when something is.`,
		Example: `  callsim load sip:support@pbx.example.net --rate 5 --max-calls 200 --cdr ours.csv
  callsim reconcile --cdr ours.csv --billing vendor-2026-11.csv
  callsim reconcile --cdr ours.csv --billing vendor.csv --increment 60s --tolerance 2s --json reconcile.json
  callsim reconcile --cdr ours.csv --billing vendor.csv --recordings recordings/
  callsim reconcile --billing vendor.csv --recordings recordings/manifest.csv --tolerance 5s`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if billingPath == "" || (cdrPath == "" && recordingsPath == "") {
				return usageError{fmt.Errorf("--billing is required, with --cdr, --recordings or both")}
			}
			if tolerance < 0 || increment <= 0 {
				return usageError{fmt.Errorf("--tolerance %v must be at least 0 and --increment %v positive", tolerance, increment)}
			}
			err := checkOutputs(e, output{"--json", jsonPath, false})
			if err != nil {
				return err
			}
			var calls []reconcile.Call
			if cdrPath != "" {
				if calls, err = readWith(e.ctx, cdrPath, inputfile.CDR, reconcile.ParseCDR); err != nil {
					return fmt.Errorf("--cdr: %w", err)
				}
			}
			billed, err := readWith(e.ctx, billingPath, inputfile.Billing, reconcile.ParseBilling)
			if err != nil {
				return fmt.Errorf("--billing: %w", err)
			}
			if tolerance == 0 {
				tolerance = time.Nanosecond // 0 means the default in the library
			}
			opt := reconcile.Options{Tolerance: tolerance, Increment: increment}
			if recordingsPath != "" {
				if opt.Recordings, err = reconcile.LoadRecordings(e.ctx, recordingsPath); err != nil {
					return fmt.Errorf("--recordings: %w", err)
				}
			}
			rep, err := reconcile.Compare(calls, billed, opt)
			if err != nil {
				return fmt.Errorf("reconcile: %w", err)
			}
			var lost []error
			if jsonPath != "" {
				b, err := jsonout.MarshalIndent(rep)
				if err == nil {
					err = loadgen.WriteFileAtomic(jsonPath, append(b, '\n'))
				}
				if err != nil {
					lost = append(lost, fmt.Errorf("--json: %w", err))
				}
			}
			reports.WriteReconcileText(e.stdout, rep, list)
			if err := lostResults(lost); err != nil {
				return err
			}
			if rep.DisputedSeconds > 0 {
				return withCode(ExitThreshold, fmt.Errorf("%.0f billed seconds disputed (%d over-billed calls, %d billed calls never placed, %d recordings much shorter than billed)",
					rep.DisputedSeconds, len(rep.OverBilled), len(rep.BilledNotPlaced), len(rep.RecordingShort)))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cdrPath, "cdr", "", "our call detail records (callsim load --cdr FILE)")
	f.StringVar(&billingPath, "billing", "", "the vendor's billing export (CSV, columns above)")
	f.StringVar(&recordingsPath, "recordings", "", "call recordings: a directory of CALL-ID.wav files, or with a manifest.csv (call_id,file), or the manifest")
	f.DurationVar(&tolerance, "tolerance", time.Second, "start-time window of a match, and allowance on every billed duration")
	f.DurationVar(&increment, "increment", time.Second, "billing increment: measured durations are rounded up to it (60s: per minute)")
	f.StringVar(&jsonPath, "json", "", "write the full report (every call) as JSON to FILE")
	f.IntVar(&list, "list", 20, "print at most this many calls per list (the JSON has them all)")
	return cmd
}

func readWith[T any](ctx context.Context, path string, k inputfile.Kind, parse func(string, io.Reader) ([]T, error)) ([]T, error) {
	data, err := inputfile.Read(ctx, path, k, nil)
	if err != nil {
		return nil, err
	}
	return parse(path, bytes.NewReader(data))
}
