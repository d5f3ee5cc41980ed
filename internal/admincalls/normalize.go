package admincalls

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

var (
	uuidRE = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	timeRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?`)
)

// Normalizer rewrites JSON documents so that two runs of the same sequence
// of calls compare equal modulo ids and timestamps: each distinct UUID
// becomes "<id-N>", N counting distinct UUIDs in order of first appearance
// across every document given to the same Normalizer, and each timestamp
// becomes "<time>". UUIDs and timestamps inside longer strings (such as a
// webhook log's raw payload) are rewritten too. Use one Normalizer per side
// (recorded, live) and feed both the same calls in the same order.
//
// The zero value is ready to use. A Normalizer is not safe for concurrent
// use.
type Normalizer struct {
	ids map[string]string
}

// ID returns the placeholder of a UUID ("" for a string that is not one),
// numbering it if it is new.
func (n *Normalizer) ID(id string) string {
	if !uuidRE.MatchString(id) || len(id) != 36 {
		return ""
	}
	return n.id(id)
}

func (n *Normalizer) id(id string) string {
	if n.ids == nil {
		n.ids = map[string]string{}
	}
	key := strings.ToLower(id)
	p, ok := n.ids[key]
	if !ok {
		p = fmt.Sprintf("<id-%d>", len(n.ids)+1)
		n.ids[key] = p
	}
	return p
}

// String rewrites the UUIDs and timestamps of s.
func (n *Normalizer) String(s string) string {
	s = uuidRE.ReplaceAllStringFunc(s, n.id)
	return timeRE.ReplaceAllString(s, "<time>")
}

// JSON decodes a JSON document and rewrites every string in it (object keys
// excepted) with [Normalizer.String]. An empty b gives nil.
func (n *Normalizer) JSON(b []byte) (any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("admincalls: normalizing: %w", err)
	}
	return n.Value(v), nil
}

// Value rewrites the strings of a value decoded by encoding/json into any.
func (n *Normalizer) Value(v any) any {
	switch v := v.(type) {
	case string:
		return n.String(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = n.Value(e)
		}
		return out
	case map[string]any:
		// Sorted keys: numbering must not depend on map order.
		out := make(map[string]any, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out[k] = n.Value(v[k])
		}
		return out
	}
	return v
}
