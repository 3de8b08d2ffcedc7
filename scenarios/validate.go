package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// MaxAgents bounds the size of one agent group.
const MaxAgents = 1_000_000

// Validate checks every rule of the scenario format on s: the rules that do
// not depend on how a value was written (ranges, unique names, references
// between queues, groups and routes). Parse applies it to every scenario it
// returns; call it on a Scenario built in Go. It returns nil or a *ErrorList
// whose errors carry a Path but no line or column.
func (s *Scenario) Validate() error {
	l := &s.validate().ErrorList
	for _, e := range l.Errors {
		e.File = s.Source
	}
	return l.err()
}

// validator collects errors by path. deps records, for an error that
// involves other keys than its own path (an unknown queue in a group's
// skills involves every queue name), those keys: Parse drops the error when
// one of them could not be decoded.
type validator struct {
	ErrorList
	deps map[*Error][]string
}

func (v *validator) errorf(path, hint, format string, args ...any) *Error {
	e := &Error{Path: path, Msg: fmt.Sprintf(format, args...), Hint: hint}
	v.add(e)
	return e
}

func (v *validator) dependsOn(e *Error, paths []string) {
	if v.deps == nil {
		v.deps = map[*Error][]string{}
	}
	v.deps[e] = paths
}

func fmtDur(sec float64) string {
	if math.Abs(sec) >= maxSeconds || math.IsNaN(sec) {
		return strconv.FormatFloat(sec, 'g', -1, 64) + "s"
	}
	return time.Duration(math.Round(sec * 1e9)).String()
}

func fmtPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*100*1e6)/1e6, 'f', -1, 64) + "%"
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func (s *Scenario) validate() *validator {
	var v validator
	var queueNamePaths, groupNamePaths, skillPaths []string
	for i := range s.Queues {
		queueNamePaths = append(queueNamePaths, fmt.Sprintf("queues[%d].name", i))
	}
	for i := range s.Groups {
		groupNamePaths = append(groupNamePaths, fmt.Sprintf("groups[%d].name", i))
		skillPaths = append(skillPaths, fmt.Sprintf("groups[%d].skills", i))
	}
	if s.Name == "" {
		v.errorf("name", "", "must not be empty")
	}
	if s.Horizon <= 0 {
		v.errorf("horizon", "the simulated time per replication, e.g. 200h or 7d", "must be positive, got %v", s.Horizon)
	} else if s.WarmUp < 0 || s.WarmUp >= s.Horizon {
		v.errorf("warmup", "warmup is part of the horizon; leave it out for 5% of the horizon",
			"must be >= 0 and less than horizon (%v), got %v", s.Horizon, s.WarmUp)
	}
	if s.Interval <= 0 || (24*time.Hour)%s.Interval != 0 {
		v.errorf("interval", "use e.g. 15m, 30m or 1h", "must divide 24h, got %v", s.Interval)
	}
	if s.Replications < 1 || s.Replications > MaxReplications {
		v.errorf("replications", "", "must be between 1 and %d, got %d", MaxReplications, s.Replications)
	}

	queues := map[string]int{}
	var queueNames []string
	if len(s.Queues) == 0 {
		v.errorf("queues", "add a queue such as {name: support, arrivals: {per_hour: 360}, handle_time: 300s}", "at least one queue is required")
	}
	for i, q := range s.Queues {
		p := fmt.Sprintf("queues[%d]", i)
		if q.Name == "" {
			v.errorf(p+".name", "", "must not be empty")
		} else if j, dup := queues[q.Name]; dup {
			v.errorf(p+".name", "queue names must be unique", "queue %q is already defined at queues[%d]", q.Name, j)
		} else {
			queues[q.Name] = i
			queueNames = append(queueNames, q.Name)
		}
		if q.Arrivals.Rate < 0 || !finite(q.Arrivals.Rate) {
			v.errorf(p+".arrivals", "", "rate must be >= 0, got %v per hour", q.Arrivals.Rate*3600)
		}
		v.dist(p+".handle_time", &q.HandleTime, true)
		if q.WrapUp != nil {
			v.dist(p+".wrap_up", q.WrapUp, false)
		}
		if q.Patience != nil {
			v.dist(p+".patience", q.Patience, true)
		}
		if q.Target.ServiceLevel < 0 || q.Target.ServiceLevel > 1 || !finite(q.Target.ServiceLevel) {
			v.errorf(p+".target.service_level", "", "must be between 0%% and 100%%, got %s", fmtPercent(q.Target.ServiceLevel))
		}
		if q.Target.Within < 0 {
			v.errorf(p+".target.within", "", "must be >= 0, got %v", q.Target.Within)
		}
	}

	groups := map[string]int{}
	var groupNames []string
	if len(s.Groups) == 0 {
		v.errorf("groups", "add a group such as {name: staff, agents: 32, skills: [support]}", "at least one group is required")
	}
	for i, g := range s.Groups {
		p := fmt.Sprintf("groups[%d]", i)
		if g.Name == "" {
			v.errorf(p+".name", "", "must not be empty")
		} else if j, dup := groups[g.Name]; dup {
			v.errorf(p+".name", "group names must be unique", "group %q is already defined at groups[%d]", g.Name, j)
		} else {
			groups[g.Name] = i
			groupNames = append(groupNames, g.Name)
		}
		if g.Agents < 0 {
			v.errorf(p+".agents", "", "must be >= 0, got %d", g.Agents)
		} else if g.Agents > MaxAgents {
			v.errorf(p+".agents", "", "must be at most %d, got %d", MaxAgents, g.Agents)
		}
		if len(g.Skills) == 0 {
			v.errorf(p+".skills", "list the queues this group answers, e.g. [support]", "must list at least one queue")
		}
		seen := map[string]bool{}
		for j, sk := range g.Skills {
			sp := fmt.Sprintf("%s.skills[%d]", p, j)
			_, isQueue := queues[sk]
			switch {
			case seen[sk]:
				v.errorf(sp, "", "queue %q is listed twice", sk)
			case !isQueue:
				v.dependsOn(v.errorf(sp, didYouMean(sk, queueNames, "queues"), "unknown queue %q", sk), queueNamePaths)
			}
			seen[sk] = true
		}
	}

	routed := map[string]int{}
	for i, r := range s.Routing {
		p := fmt.Sprintf("routing[%d]", i)
		_, known := queues[r.Queue]
		switch {
		case !known:
			v.dependsOn(v.errorf(p+".queue", didYouMean(r.Queue, queueNames, "queues"), "unknown queue %q", r.Queue), queueNamePaths)
		case routed[r.Queue] > 0:
			v.errorf(p+".queue", "give each queue one route", "queue %q is already routed by routing[%d]", r.Queue, routed[r.Queue]-1)
		default:
			routed[r.Queue] = i + 1
		}
		if len(r.Groups) == 0 {
			v.errorf(p+".groups", "", "must list at least one group")
		}
		seen := map[string]bool{}
		for j, rg := range r.Groups {
			gp := fmt.Sprintf("%s.groups[%d]", p, j)
			gi, ok := groups[rg.Group]
			switch {
			case !ok:
				v.dependsOn(v.errorf(gp, didYouMean(rg.Group, groupNames, "groups"), "unknown group %q", rg.Group), groupNamePaths)
			case seen[rg.Group]:
				v.errorf(gp, "", "group %q is listed twice", rg.Group)
			case known && !contains(s.Groups[gi].Skills, r.Queue):
				v.dependsOn(v.errorf(gp, fmt.Sprintf("add %q to groups[%d].skills, or remove the group from this route", r.Queue, gi),
					"group %q does not have skill %q", rg.Group, r.Queue), []string{skillPaths[gi]})
			}
			seen[rg.Group] = true
			if rg.After < 0 {
				v.errorf(gp+".after", "", "must be >= 0, got %v", rg.After)
			}
		}
	}
	for i, q := range s.Queues {
		if q.Name == "" || routed[q.Name] > 0 {
			continue
		}
		served := false
		for _, g := range s.Groups {
			served = served || contains(g.Skills, q.Name)
		}
		if served {
			v.errorf(fmt.Sprintf("queues[%d]", i), "Parse fills default routes; a Scenario built in Go needs one per queue", "no route for queue %q", q.Name)
		} else {
			v.dependsOn(v.errorf(fmt.Sprintf("queues[%d]", i), fmt.Sprintf("add %q to the skills of a group", q.Name), "no group has skill %q", q.Name),
				append(skillPaths, "groups"))
		}
	}
	s.validateSourcing(&v)
	s.validateBounds(&v)
	return &v
}

// dist checks a distribution's parameters; positive requires a mean > 0
// (handle time, patience) rather than >= 0 (wrap-up).
func (v *validator) dist(p string, x *Dist, positive bool) {
	var want float64
	switch x.Kind {
	case Constant, Exponential:
		want = x.Mean
	case Lognormal, Gamma:
		want = x.Mean
		positive = true
		if x.CV <= 0 || !finite(x.CV) {
			v.errorf(p+".cv", "the coefficient of variation is the standard deviation divided by the mean, e.g. 0.8",
				"must be positive, got %v", x.CV)
		}
	case Uniform:
		want = (x.Min + x.Max) / 2
		if x.Min < 0 {
			v.errorf(p+".min", "", "must be >= 0, got %s", fmtDur(x.Min))
		}
		if !(x.Min < x.Max) {
			v.errorf(p+".max", "for a fixed value use dist: constant", "must be greater than min (%s), got %s", fmtDur(x.Min), fmtDur(x.Max))
		}
	case Triangular:
		want = (x.Min + x.Mode + x.Max) / 3
		switch {
		case x.Min < 0:
			v.errorf(p+".min", "", "must be >= 0, got %s", fmtDur(x.Min))
		case !(x.Min < x.Max):
			v.errorf(p+".max", "for a fixed value use dist: constant", "must be greater than min (%s), got %s", fmtDur(x.Min), fmtDur(x.Max))
		case x.Mode < x.Min || x.Mode > x.Max:
			v.errorf(p+".mode", "", "must be between min (%s) and max (%s), got %s", fmtDur(x.Min), fmtDur(x.Max), fmtDur(x.Mode))
		}
	case Empirical:
		if len(x.Values) == 0 {
			v.errorf(p+".values", "write e.g. [120s, 300s, 45s]", "must list at least one duration")
		}
		for i, s := range x.Values {
			want += s
			if s < 0 || !finite(s) {
				v.errorf(fmt.Sprintf("%s.values[%d]", p, i), "", "must be >= 0, got %s", fmtDur(s))
			}
		}
		if len(x.Values) > 0 {
			want /= float64(len(x.Values))
		}
	case "":
		v.errorf(p, "", "dist is not set")
		return
	default:
		v.errorf(p+".dist", didYouMean(string(x.Kind), distKinds, "known distributions"), "unknown distribution %q", x.Kind)
		return
	}
	if x.Kind == Constant || x.Kind == Exponential || x.Kind == Lognormal || x.Kind == Gamma {
		switch {
		case positive && !(x.Mean > 0):
			v.errorf(p+".mean", "", "must be positive, got %s", fmtDur(x.Mean))
		case !(x.Mean >= 0):
			v.errorf(p+".mean", "", "must be >= 0, got %s", fmtDur(x.Mean))
		}
		return
	}
	if positive && !(want > 0) {
		v.errorf(p, "", "mean must be positive, got %s", fmtDur(want))
		return
	}
	if math.Abs(x.Mean-want) > 1e-9*math.Max(1, math.Abs(want)) {
		v.errorf(p+".mean", "Mean must be filled in for every family", "is %s, want %s for dist %s", fmtDur(x.Mean), fmtDur(want), x.Kind)
	}
}
