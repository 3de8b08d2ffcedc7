package sim

import (
	"fmt"
	"math"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/center/kpi"
	"github.com/callsim/callsim/scenarios"
)

const day = center.Day

// model is a scenario compiled for the engine: the center (package center)
// and what the simulation adds around it (replications, the measured
// window and its reporting cells, costs).
type model struct {
	c        *center.Center
	name     string
	seed     uint64
	reps     int
	horizon  float64
	warmup   float64
	interval float64
	nSlots   int // reporting intervals per day

	// Paid (scheduled) and available agent seconds per cell and group
	// ([cell*G+g]).
	paid, staffed []float64
	costs         scenarios.ServiceCosts
	groupCosts    []scenarios.GroupCost
	sourcing      []scenarios.Sourcing
	// contracts: whose queues, prices, priorities and SLAs (contract.go).
	contracts *contracts

	// Reporting cells: a replication's statistics are kept per batch and
	// per interval of the day. There is one batch when there are several
	// replications; a single replication is split into batches so that it
	// still yields confidence intervals (batch means).
	layout          kpi.Layout
	batches         int
	slotsPerBatch   int64 // absolute intervals per batch
	firstInterval   int64 // absolute interval number of the warm-up's end
	exposure        []float64
	windowPerUnit   float64 // seconds of measured window per batch
	estimatedCalls  float64
	measuredSeconds float64
}

// compile checks a scenario for what the engine needs and turns it into a
// model. Scenarios from the scenarios package are already validated; the
// checks here guard scenarios built in Go.
func compile(sc *scenarios.Scenario) (*model, error) {
	if sc == nil {
		return nil, fmt.Errorf("no scenario")
	}
	if sc.Replications < 1 {
		return nil, fmt.Errorf("replications must be at least 1, got %d", sc.Replications)
	}
	c, err := center.Compile(sc)
	if err != nil {
		return nil, err
	}
	m := &model{
		c:        c,
		name:     sc.Name,
		seed:     sc.Seed,
		reps:     sc.Replications,
		horizon:  c.Horizon,
		warmup:   sc.WarmUp.Seconds(),
		interval: c.Interval,
		nSlots:   c.NSlots,
		costs:    sc.Costs,
	}
	if m.warmup < 0 || m.warmup >= m.horizon {
		return nil, fmt.Errorf("warm-up %v must be at least 0 and shorter than the horizon %v", sc.WarmUp, sc.Horizon)
	}
	m.setupCells()
	for _, q := range c.Queues {
		m.estimatedCalls += q.Arrivals.Rate * m.horizon
	}
	m.estimatedCalls *= float64(m.reps)
	for _, g := range sc.Groups {
		m.groupCosts = append(m.groupCosts, g.Cost)
		src := g.Sourcing
		if src == "" {
			src = scenarios.InHouse
		}
		m.sourcing = append(m.sourcing, src)
	}
	if err := checkContracts(sc); err != nil {
		return nil, err
	}
	m.compileContracts(sc)
	m.integrateStaffing()
	return m, nil
}

// batchesForSingleReplication is how many batches a single replication is
// cut into for batch-means confidence intervals.
const batchesForSingleReplication = 20

// setupCells lays out the reporting cells and the measured time in each.
func (m *model) setupCells() {
	b := 1
	if m.reps == 1 {
		b = batchesForSingleReplication
	}
	m.layout = kpi.NewLayout(m.warmup, m.horizon, m.interval, b)
	m.batches, m.slotsPerBatch, m.firstInterval = m.layout.Batches, m.layout.SlotsPerBatch, m.layout.FirstInterval
	m.exposure = m.layout.Exposure
	m.measuredSeconds = m.horizon - m.warmup
	m.windowPerUnit = m.measuredSeconds / float64(m.batches)
}

// cellOf maps an absolute interval number inside the window to its cell.
func (m *model) cellOf(k int64) int { return m.layout.CellOf(k) }

// integrateStaffing integrates the paid (scheduled) and available agent
// time of every group over the cells of the measured window.
func (m *model) integrateStaffing() {
	G := len(m.c.Groups)
	cells := m.batches * m.nSlots * G
	m.paid, m.staffed = make([]float64, cells), make([]float64, cells)
	for gi := range m.c.Groups {
		for _, lv := range m.c.Groups[gi].Levels {
			lo, hi := math.Max(lv.T, m.warmup), lv.End
			for lo < hi {
				k := int64(lo / m.interval)
				end := math.Min(hi, float64(k+1)*m.interval)
				c := m.cellOf(k)*G + gi
				m.paid[c] += float64(lv.Sched) * (end - lo)
				m.staffed[c] += float64(lv.Avail) * (end - lo)
				lo = end
			}
		}
	}
}
