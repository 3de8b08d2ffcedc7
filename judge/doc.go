// Package judge turns measured calls into verdicts a statistician would
// sign: PASS (the claim holds at the stated confidence), FAIL (it does not,
// at that confidence) or INCONCLUSIVE (too few calls to tell, with how many
// more would decide).
//
// # Proportions
//
// A claimed share s ("80% answered within 20 s", "99% of the calls
// accepted") is judged on the 0/1 outcomes of the calls in time order.
// Successive calls of a queue are not independent (one long wait makes the
// next caller's wait long too), so the calls are worth fewer independent
// observations than their number: the effective sample size is
//
//	n_eff = n / VIF,   VIF = max(1, m x S²(batch means) / S²(calls))
//
// from the method of batch means (Schmeiser 1982; Law & Kelton): the calls
// are cut into b = 20 batches of m consecutive calls (10 batches for 50 to
// 99 calls; the earliest n - b·m calls, those nearest the start, are left
// out of the estimate only), and the variance of the batch means, which
// holds the correlation within a batch, is set against that of single
// calls. With fewer than 50 calls (under 5 a batch) the inflation cannot
// be measured and is taken as 1, and the verdict says so. With every call
// a success (or every one a failure) there is no variance to measure
// either, and VIF is 1.
//
// The share's one-sided bounds at confidence c are the exact binomial
// (Clopper-Pearson) bounds on x = share x n_eff successes of n_eff trials:
//
//	lower = Beta(x, n_eff - x + 1).Quantile(1 - c)
//	upper = Beta(x + 1, n_eff - x).Quantile(c)
//
// (lower is 0 when x = 0, upper 1 when x = n_eff). PASS when lower >= s,
// FAIL when upper < s, else INCONCLUSIVE; then CallsNeeded is the smallest
// number of calls that, at the same measured share and inflation, would
// decide (none when the share measured equals the claim).
//
// # Percentiles
//
// A claimed percentile ("95% of the setup delays within 500 ms") is judged
// by its order-statistic bounds: the one-sided upper bound of the
// p-quantile is the smallest order statistic x_(k) such that "at least k of
// n calls within x_(k)" gives a lower share bound (as above, on the
// indicator's n_eff) of at least p, and the lower bound the largest x_(j)
// such that "at most j-1 calls below it" gives an upper share bound under
// p. PASS when the upper bound is within the claim, FAIL when the lower
// bound exceeds it. This is the proportion test on "delay within the
// claimed value", so the two ways of writing a claim agree exactly.
package judge
