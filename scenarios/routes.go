package scenarios

// Routes is the scenario's routing: its routing section, or when it has
// none the default, every queue served by the groups whose skills list it
// (in group order, no overflow delays). The simulator and the embedded SIP
// target both route by it.
func (s *Scenario) Routes() []Route {
	if len(s.Routing) > 0 {
		return s.Routing
	}
	routes := make([]Route, 0, len(s.Queues))
	for _, q := range s.Queues {
		r := Route{Queue: q.Name}
		for _, g := range s.Groups {
			for _, sk := range g.Skills {
				if sk == q.Name {
					r.Groups = append(r.Groups, RouteGroup{Group: g.Name})
				}
			}
		}
		routes = append(routes, r)
	}
	return routes
}
