package fieftest

import "net/http"

// The shapes shared by the handlers of the admin API.

// adminGet answers 200 with the read model find returns, or 404 when it
// reports no object. find runs under the lock.
func adminGet[R any](s *Server, w http.ResponseWriter, find func() (R, bool)) {
	s.mu.Lock()
	out, ok := find()
	s.mu.Unlock()
	if !ok {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// found is the read model of o, unless o is nil.
func found[O comparable, R any](o O, read func(O) R) (R, bool) {
	var zero O
	if o == zero {
		var r R
		return r, false
	}
	return read(o), true
}

// adminList answers a page of the objects that all returns (in creation
// order) and keep accepts (nil keeps all), as read makes them. all, keep
// and read run under the lock.
func adminList[O, R any](s *Server, w http.ResponseWriter, r *http.Request, all func() []O, keep func(O) bool, read func(O) R) {
	q, ok := parseListQuery(w, r, "")
	if !ok {
		return
	}
	s.mu.Lock()
	var items []R
	for _, o := range all() {
		if keep == nil || keep(o) {
			items = append(items, read(o))
		}
	}
	s.mu.Unlock()
	writePage(w, q, items)
}

// adminDelete deletes the object find returns, answering 204, or answers
// 404 when find returns nil. Both run under the lock.
func adminDelete[O comparable](s *Server, w http.ResponseWriter, find func() O, del func(O)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := find()
	var zero O
	if o == zero {
		writeNotFound(w)
		return
	}
	del(o)
	writeNoContent(w)
}
