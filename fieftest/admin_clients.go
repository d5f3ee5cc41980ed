package fieftest

import (
	"net/http"
	"net/url"
	"slices"
	"time"
)

// clientByUUIDLocked finds a client of any tenant by its admin API id.
func (s *Server) clientByUUIDLocked(id string) *Client {
	for _, t := range s.tenantList {
		for _, c := range t.clientList {
			if c.ID == id {
				return c
			}
		}
	}
	return nil
}

func (s *Server) adminListClients(w http.ResponseWriter, r *http.Request, _ []string) {
	tenantID, byTenant, ok := tenantQuery(w, r)
	if !ok {
		return
	}
	query, byQuery := queryFilter(r, "query")
	adminList(s, w, r, s.allClientsLocked, func(c *Client) bool {
		return (!byTenant || c.tenant.id == tenantID) && (!byQuery || containsFold(c.name, query))
	}, (*Client).readLocked)
}

// allClientsLocked returns the clients of every tenant, in creation order.
func (s *Server) allClientsLocked() []*Client {
	var cs []*Client
	for _, t := range s.tenantList {
		cs = append(cs, t.clientList...)
	}
	slices.SortFunc(cs, func(a, b *Client) int { return int(a.seq - b.seq) })
	return cs
}

func (s *Server) adminGetClient(w http.ResponseWriter, r *http.Request, ids []string) {
	adminGet(s, w, func() (clientRead, bool) { return found(s.clientByUUIDLocked(ids[0]), (*Client).readLocked) })
}

// clientFields are the members shared by ClientCreate and ClientUpdate.
type clientFields struct {
	name                 *string
	firstParty           *bool
	clientType           *string
	redirectURIs         []string
	hasRedirectURIs      bool
	code, token, refresh *int64
}

func readClientFields(f *fieldReader, create bool) clientFields {
	var c clientFields
	c.name = f.str("name", create)
	c.firstParty = f.boolean("first_party", create)
	c.clientType = f.enum("client_type", create, []string{"public", "confidential"})
	l, ok := f.list("redirect_uris", create)
	if ok {
		c.hasRedirectURIs = true
		for i, v := range l {
			s, _ := v.(string)
			if s == "" || !isAbsoluteURL(s) {
				f.itemFail("redirect_uris", i, "invalid or missing URL scheme", "value_error.url.scheme", nil)
				c.hasRedirectURIs = false
			}
			c.redirectURIs = append(c.redirectURIs, s)
		}
		if len(l) == 0 {
			f.fail("redirect_uris", "ensure this value has at least 1 items", "value_error.list.min_items", map[string]any{"limit_value": 1})
			c.hasRedirectURIs = false
		}
	}
	c.code = lifetime(f, "authorization_code_lifetime_seconds")
	c.token = lifetime(f, "access_id_token_lifetime_seconds")
	c.refresh = lifetime(f, "refresh_token_lifetime_seconds")
	return c
}

func lifetime(f *fieldReader, name string) *int64 {
	n := f.integer(name, false)
	if n != nil && *n < 0 {
		f.fail(name, "ensure this value is greater than or equal to 0", "value_error.number.not_ge", map[string]any{"limit_value": 0})
		return nil
	}
	return n
}

func (c clientFields) applyLocked(cl *Client) {
	setIf(&cl.name, c.name)
	if c.firstParty != nil {
		cl.thirdParty = !*c.firstParty
	}
	if c.clientType != nil {
		cl.public = *c.clientType == "public"
	}
	if c.hasRedirectURIs {
		cl.redirectURIs = c.redirectURIs
	}
	for _, x := range []struct {
		v   *int64
		dst *time.Duration
	}{{c.code, &cl.codeLifetime}, {c.token, &cl.tokenLifetime}, {c.refresh, &cl.refreshLifetime}} {
		if x.v != nil {
			*x.dst = time.Duration(*x.v) * time.Second
		}
	}
}

func (s *Server) adminCreateClient(w http.ResponseWriter, r *http.Request, _ []string) {
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	fields := readClientFields(f, true)
	tenantID := f.uuid("tenant_id", true)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenantByIDLocked(*tenantID)
	if t == nil {
		writeDetail(w, http.StatusBadRequest, "CLIENT_CREATE_UNKNOWN_TENANT")
		return
	}
	c := newAdminClient(t)
	fields.applyLocked(c)
	if err := t.insertClientLocked(c); err != nil {
		writeInternalError(w)
		return
	}
	writeJSON(w, http.StatusCreated, c.readLocked())
}

func (s *Server) adminUpdateClient(w http.ResponseWriter, r *http.Request, ids []string) {
	if !s.exists(w, func() bool { return s.clientByUUIDLocked(ids[0]) != nil }) {
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	fields := readClientFields(f, false)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clientByUUIDLocked(ids[0])
	if c == nil {
		writeNotFound(w)
		return
	}
	fields.applyLocked(c)
	s.clientUpdatedLocked(c)
	writeJSON(w, http.StatusOK, c.readLocked())
}

func (s *Server) adminDeleteClient(w http.ResponseWriter, r *http.Request, ids []string) {
	adminDelete(s, w, func() *Client { return s.clientByUUIDLocked(ids[0]) }, s.removeClientLocked)
}

// newAdminClient returns a confidential first-party client of t with
// random credentials and Fief's default lifetimes, not yet stored.
func newAdminClient(t *Tenant) *Client {
	return &Client{
		ID: newUUID(), ClientID: randomToken(), ClientSecret: randomToken(), tenant: t,
		codeLifetime: 600 * time.Second, tokenLifetime: 86400 * time.Second, refreshLifetime: 2592000 * time.Second,
	}
}

// removeClientLocked deletes a client and announces it.
func (s *Server) removeClientLocked(c *Client) {
	before := c.readLocked()
	t := c.tenant
	delete(t.clients, c.ClientID)
	t.clientList = slices.DeleteFunc(t.clientList, func(x *Client) bool { return x == c })
	s.emitLocked(eventClientDeleted, before)
}

func (s *Server) adminClientEncryptionKey(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	c := s.clientByUUIDLocked(ids[0])
	s.mu.Unlock()
	if c == nil {
		writeNotFound(w)
		return
	}
	private := c.newEncryptionKey()
	s.mu.Lock()
	s.clientUpdatedLocked(c)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write([]byte(private))
}

// isAbsoluteURL reports whether s has a scheme and a host (pydantic's
// AnyUrl).
func isAbsoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != ""
}
