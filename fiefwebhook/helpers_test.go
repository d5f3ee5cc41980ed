package fiefwebhook_test

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"
)

// delivery is one delivery captured from a real Fief server.
type delivery struct {
	Secret  string            `json:"secret"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func (d delivery) timestamp() string { return d.Headers["X-Fief-Webhook-Timestamp"] }
func (d delivery) signature() string { return d.Headers["X-Fief-Webhook-Signature"] }

// sentAt is the delivery's timestamp as a time.
func (d delivery) sentAt(t testing.TB) time.Time {
	ts, err := strconv.ParseInt(d.timestamp(), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return time.Unix(ts, 0)
}

func loadDeliveries(t testing.TB) []delivery {
	t.Helper()
	return loadDeliveriesFrom(t, "testdata/deliveries-v0.26.3.json")
}

// loadDeliveriesFrom reads a file of deliveries captured from a real Fief.
func loadDeliveriesFrom(t testing.TB, path string) []delivery {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Deliveries []delivery `json:"deliveries"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Deliveries) == 0 {
		t.Fatal("no deliveries in testdata")
	}
	return f.Deliveries
}
