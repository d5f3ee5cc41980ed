package fieftest

import "net/http"

func (s *Server) adminListWebhooks(w http.ResponseWriter, r *http.Request, _ []string) {
	adminList(s, w, r, func() []*webhook { return sortedBySeq(s.adm.webhooks) }, nil, (*webhook).read)
}

func (s *Server) adminGetWebhook(w http.ResponseWriter, r *http.Request, ids []string) {
	adminGet(s, w, func() (webhookRead, bool) { return found(s.adm.webhooks[ids[0]], (*webhook).read) })
}

func (s *Server) adminCreateWebhook(w http.ResponseWriter, r *http.Request, _ []string) {
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	u := f.httpURL("url", true)
	events, _ := f.enumList("events", true, webhookEventTypes)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	h := &webhook{meta: s.adm.newMeta(s.nowLocked()), url: *u, events: events, secret: randomToken()}
	s.adm.webhooks[h.id] = h
	out := h.secretRead()
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) adminUpdateWebhook(w http.ResponseWriter, r *http.Request, ids []string) {
	if !s.exists(w, func() bool { return s.adm.webhooks[ids[0]] != nil }) {
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	u := f.httpURL("url", false)
	events, hasEvents := f.enumList("events", false, webhookEventTypes)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.adm.webhooks[ids[0]]
	if h == nil {
		writeNotFound(w)
		return
	}
	setIf(&h.url, u)
	if hasEvents {
		h.events = events
	}
	h.updated = s.nowLocked()
	writeJSON(w, http.StatusOK, h.read())
}

func (s *Server) adminDeleteWebhook(w http.ResponseWriter, r *http.Request, ids []string) {
	adminDelete(s, w, func() *webhook { return s.adm.webhooks[ids[0]] }, func(h *webhook) { delete(s.adm.webhooks, h.id) })
}

func (s *Server) adminWebhookSecret(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.adm.webhooks[ids[0]]
	if h == nil {
		writeNotFound(w)
		return
	}
	h.secret = randomToken()
	h.updated = s.nowLocked()
	writeJSON(w, http.StatusOK, h.secretRead())
}

// adminWebhookLogs lists the delivery attempts of a webhook, newest first
// unless another ordering is asked for.
func (s *Server) adminWebhookLogs(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	found := s.adm.webhooks[ids[0]] != nil
	var items []webhookLogRead
	for _, l := range s.adm.webhookLogs {
		if l.webhookID == ids[0] {
			items = append(items, l.read())
		}
	}
	s.mu.Unlock()
	if !found {
		writeNotFound(w)
		return
	}
	if q, ok := parseListQuery(w, r, "-created_at"); ok {
		writePage(w, q, items)
	}
}
