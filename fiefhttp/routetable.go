package fiefhttp

// RouteTable holds the routes of a service whose requests are named, such
// as gRPC methods or Connect procedures: a default route, routes by name,
// and public names, which need no token and are not checked at all. Make it
// with [Auth.RouteTable]; it is immutable and safe for concurrent use.
type RouteTable struct {
	def    *Route
	byName map[string]*Route
}

// publicRoute is the route of public names: the decision lets their
// requests through unchecked.
var publicRoute = &Route{public: true}

// RouteTable resolves, once, the default route options (nil: any valid
// token), the options of each listed name, and the public names (a name
// both listed and public is public).
func (a *Auth) RouteTable(def []RouteOption, byName map[string][]RouteOption, public []string) *RouteTable {
	t := &RouteTable{def: newRoute(def), byName: make(map[string]*Route, len(byName)+len(public))}
	for name, opts := range byName {
		t.byName[name] = newRoute(opts)
	}
	for _, name := range public {
		t.byName[name] = publicRoute
	}
	return t
}

// Lookup returns the route of name: its own, or the default one. Give it
// to [Auth.CheckAuthorization].
func (t *RouteTable) Lookup(name string) *Route {
	if rt, ok := t.byName[name]; ok {
		return rt
	}
	return t.def
}
