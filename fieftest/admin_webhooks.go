package fieftest

import "net/http"

func (s *Server) adminListWebhooks(w http.ResponseWriter, r *http.Request, _ []string) {
	q, ok := parseListQuery(w, r, "")
	if !ok {
		return
	}
	s.mu.Lock()
	var items []webhookRead
	for _, h := range sortedBySeq(s.adm.webhooks) {
		items = append(items, h.read())
	}
	s.mu.Unlock()
	writePage(w, q, items)
}

func (s *Server) adminGetWebhook(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	h := s.adm.webhooks[ids[0]]
	var out webhookRead
	if h != nil {
		out = h.read()
	}
	s.mu.Unlock()
	if h == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.adm.webhooks[ids[0]] == nil {
		writeNotFound(w)
		return
	}
	delete(s.adm.webhooks, ids[0])
	writeNoContent(w)
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
