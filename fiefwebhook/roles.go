package fiefwebhook

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/fief-dev/fief-go/fiefadmin"
)

// roleLoadTimeout bounds the reading of the roles from the admin API.
const roleLoadTimeout = 30 * time.Second

// roleMemory remembers the permissions of each role, from the role.* and
// permission.* events this handler processed and, when given an admin
// client, from Fief's admin API at start: role.updated carries the role
// after the change only, and user_role.deleted the role without its
// permissions.
type roleMemory struct {
	mu     sync.Mutex
	roles  map[fiefadmin.UUID][]fiefadmin.Permission
	loaded chan struct{} // closed when the load from the admin API ended
	err    error         // the load's failure; read after loaded is closed
}

func newRoleMemory() *roleMemory {
	m := &roleMemory{roles: make(map[fiefadmin.UUID][]fiefadmin.Permission), loaded: make(chan struct{})}
	return m
}

// load reads every role from the admin API, in the background; a role
// already known from an event (newer) is kept.
func (m *roleMemory) load(admin *fiefadmin.Client, logger *slog.Logger) {
	if admin == nil {
		close(m.loaded)
		return
	}
	go func() {
		defer close(m.loaded)
		ctx, cancel := context.WithTimeout(context.Background(), roleLoadTimeout)
		defer cancel()
		read := make(map[fiefadmin.UUID][]fiefadmin.Permission)
		for r, err := range admin.Roles.List(ctx, nil) {
			if err != nil {
				m.err = fmt.Errorf("fiefwebhook: reading the roles from Fief's admin API: %w", err)
				logger.WarnContext(ctx, "fiefwebhook: reading the roles from Fief's admin API failed: the permissions a role.updated removes are known only for the roles seen in events", "error", err)
				return
			}
			read[r.ID] = r.Permissions
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		for id, perms := range read {
			if _, known := m.roles[id]; !known {
				m.roles[id] = perms
			}
		}
	}()
}

// wait waits until the load from the admin API ended, or ctx is done.
func (m *roleMemory) wait(ctx context.Context) {
	select {
	case <-m.loaded:
	case <-ctx.Done():
	}
}

// permissions returns the codenames of the role's permissions, nil when
// the role is unknown.
func (m *roleMemory) permissions(id fiefadmin.UUID) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	perms, ok := m.roles[id]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(perms))
	for _, p := range perms {
		out = append(out, p.Codename)
	}
	return out
}

// lostBy returns the codenames of the permissions the role of a
// role.updated lost, and whether its previous permissions were known.
func (m *roleMemory) lostBy(r *fiefadmin.Role) (lost []string, known bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	prev, known := m.roles[r.ID]
	for _, p := range prev {
		if !slices.ContainsFunc(r.Permissions, func(q fiefadmin.Permission) bool { return q.ID == p.ID && q.Codename == p.Codename }) {
			lost = append(lost, p.Codename)
		}
	}
	return lost, known
}

// record records what e says of roles and permissions, once its effect is
// applied.
func (m *roleMemory) record(e *Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch o := e.Object.(type) {
	case *fiefadmin.Role:
		switch e.Type {
		case fiefadmin.EventRoleCreated, fiefadmin.EventRoleUpdated:
			m.roles[o.ID] = o.Permissions
		case fiefadmin.EventRoleDeleted:
			delete(m.roles, o.ID)
		}
	case *fiefadmin.Permission:
		for id, perms := range m.roles {
			i := slices.IndexFunc(perms, func(q fiefadmin.Permission) bool { return q.ID == o.ID })
			if i < 0 {
				continue
			}
			perms = slices.Clone(perms)
			switch e.Type {
			case fiefadmin.EventPermissionDeleted:
				perms = slices.Delete(perms, i, i+1)
			case fiefadmin.EventPermissionUpdated:
				perms[i] = *o
			}
			m.roles[id] = perms
		}
	}
}
