package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Names of the files of the development CA in its directory.
const (
	caCertFile = "ca.pem"
	caKeyFile  = "ca-key.pem"
)

// devCA is the certificate authority fieftest makes up to sign the
// certificate it serves https with. Its key and certificate are kept in a
// directory, so that a restarted server is trusted by the clients that
// trusted the previous one.
type devCA struct {
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
	certPath string
}

// loadOrCreateCA reads the CA of dir, or creates one there.
func loadOrCreateCA(dir string) (*devCA, error) {
	certPath, keyPath := filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile)
	certPEM, err1 := os.ReadFile(certPath)
	keyPEM, err2 := os.ReadFile(keyPath)
	switch {
	case err1 == nil && err2 == nil:
		return parseCA(certPEM, keyPEM, certPath)
	case !errors.Is(err1, fs.ErrNotExist) && err1 != nil:
		return nil, fmt.Errorf("fieftest: reading the CA certificate: %w", err1)
	case !errors.Is(err2, fs.ErrNotExist) && err2 != nil:
		return nil, fmt.Errorf("fieftest: reading the CA key: %w", err2)
	case (err1 == nil) != (err2 == nil):
		return nil, fmt.Errorf("fieftest: %s holds one of %s and %s but not the other: remove it or give it back", dir, caCertFile, caKeyFile)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("fieftest: the CA's directory: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serialNumber(),
		Subject:               pkix.Name{CommonName: "fieftest development CA", Organization: []string{"fieftest"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("fieftest: writing the CA key: %w", err)
	}
	if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("fieftest: writing the CA certificate: %w", err)
	}
	return parseCA(certPEM, keyPEM, certPath)
}

func parseCA(certPEM, keyPEM []byte, certPath string) (*devCA, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, fmt.Errorf("fieftest: the CA files next to %s are not PEM", certPath)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("fieftest: the CA certificate %s: %w", certPath, err)
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	key, ok := k.(*ecdsa.PrivateKey)
	if err != nil || !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("fieftest: the CA key next to %s is not the key of its certificate", certPath)
	}
	return &devCA{cert: cert, key: key, certPath: certPath}, nil
}

// serverCertificate makes a certificate for these host names and IP
// addresses, signed by the CA, valid for a year.
func (ca *devCA) serverCertificate(hosts []string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serialNumber(),
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"fieftest"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}, nil
}

func serialNumber() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// printTrust tells how to make each language's clients trust the CA.
func printTrust(w io.Writer, caPath string) {
	fmt.Fprintf(w, `fieftest: serving https with a certificate of the development CA %[1]s; trust it with:
  curl:    curl --cacert %[1]s ...
  Go:      SSL_CERT_FILE=%[1]s on Linux (replaces the system's roots), or add it to tls.Config.RootCAs (x509.SystemCertPool, AppendCertsFromPEM)
  Node:    NODE_EXTRA_CA_CERTS=%[1]s
  Python:  SSL_CERT_FILE=%[1]s (ssl, httpx, urllib), REQUESTS_CA_BUNDLE=%[1]s (requests)
  fieftest token finds it in FIEF_CA_FILE.
`, caPath)
}
