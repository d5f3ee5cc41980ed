package fief

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// signingKeys fetches the key set and adds the signing_keys finding.
func (p *probe) signingKeys(ctx context.Context, doc *discoveryDoc) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := p.c.do(ctx, request{op: "jwks", method: http.MethodGet, path: doc.jwksPath}, &raw); err != nil {
		p.r.add(FindingSigningKeys, VerdictFailure, "the key set cannot be read: "+err.Error(), "look at Fief's logs; the key set is at "+doc.jwksPath)
		return
	}
	usable, bits, problems := classifyKeys(raw.Keys)
	switch {
	case usable == 0 && len(problems) == 0:
		p.r.add(FindingSigningKeys, VerdictFailure, "the key set is empty: no token can be verified",
			"give the tenant a signing key in Fief")
	case usable == 0:
		p.r.add(FindingSigningKeys, VerdictFailure, "no usable signing key: "+strings.Join(problems, "; "),
			fmt.Sprintf("Fief signs tokens with the tenant's RSA key (RS256), which must have at least %d bits: give the tenant such a key (Fief's GENERATED_JWK_SIZE setting, 4096 by default)", minRSABits))
	case len(problems) > 0:
		p.r.add(FindingSigningKeys, VerdictOK, fmt.Sprintf("%d usable RS256 key(s) of %d bits or more; ignored: %s", usable, bits, strings.Join(problems, "; ")), "")
	default:
		p.r.add(FindingSigningKeys, VerdictOK, fmt.Sprintf("%d usable RS256 key(s), the smallest of %d bits", usable, bits), "")
	}
}

// classifyKeys counts the usable signing keys of a key set, with the size
// of the smallest, and says why each other key is not usable. It applies
// the rules of keySet.parse.
func classifyKeys(raws []json.RawMessage) (usable, minBits int, problems []string) {
	for i, raw := range raws {
		var k jose.JSONWebKey
		name := fmt.Sprintf("key %d", i+1)
		if err := k.UnmarshalJSON(raw); err != nil {
			problems = append(problems, name+": unreadable ("+err.Error()+")")
			continue
		}
		if k.KeyID != "" {
			name = fmt.Sprintf("key %q", truncate(k.KeyID, 64))
		}
		pub, ok := k.Key.(*rsa.PublicKey)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: %s, not an RSA public key", name, keyKind(k)))
		case k.Use != "" && k.Use != "sig":
			problems = append(problems, fmt.Sprintf("%s: for %q, not signatures", name, truncate(k.Use, 16)))
		case k.Algorithm != "" && k.Algorithm != string(jose.RS256):
			problems = append(problems, fmt.Sprintf("%s: for %s, not RS256", name, truncate(k.Algorithm, 16)))
		case pub.N.BitLen() < minRSABits:
			problems = append(problems, fmt.Sprintf("%s: RSA of %d bits, under %d", name, pub.N.BitLen(), minRSABits))
		default:
			usable++
			if minBits == 0 || pub.N.BitLen() < minBits {
				minBits = pub.N.BitLen()
			}
		}
	}
	return usable, minBits, problems
}

func keyKind(k jose.JSONWebKey) string {
	switch k.Key.(type) {
	case *rsa.PrivateKey:
		return "an RSA private key"
	case []byte:
		return "a symmetric key"
	}
	return fmt.Sprintf("a %T key", k.Key)
}

// keySetAge adds the key_set_age finding: the state of the key set the
// client itself holds ([Client.KeySetStatus]), which the check does not
// change.
func (p *probe) keySetAge() {
	st := p.c.KeySetStatus()
	switch {
	case !st.Loaded && st.LastError != nil:
		p.r.add(FindingKeySetAge, VerdictWarning, "the client could not load the key set yet: "+st.LastError.Error(),
			"make Fief's key set reachable from here (see the findings above)")
	case !st.Loaded:
		p.r.add(FindingKeySetAge, VerdictOK, "not loaded yet: the first token validation fetches it", "")
	case st.Expired:
		detail := fmt.Sprintf("the client's key set was last fetched %s ago, past JWKSMaxStaleness (%s): token validations answer ErrUnavailable until a fetch succeeds",
			st.Age.Round(time.Second), st.MaxStaleness)
		if st.LastError != nil {
			detail += "; last error: " + st.LastError.Error()
		}
		p.r.add(FindingKeySetAge, VerdictFailure, detail, "make Fief's key set reachable from here")
	case st.Stale && st.LastError != nil:
		p.r.add(FindingKeySetAge, VerdictWarning,
			fmt.Sprintf("the client's key set is %s old, past its maximum age (%s), and fetching it again fails: %v; validations stop at %s old (JWKSMaxStaleness)",
				st.Age.Round(time.Second), st.MaxAge, st.LastError, st.MaxStaleness),
			"make Fief's key set reachable from here")
	default:
		p.r.add(FindingKeySetAge, VerdictOK, fmt.Sprintf("the client's key set is %s old, fetched again past %s", st.Age.Round(time.Second), st.MaxAge), "")
	}
}
