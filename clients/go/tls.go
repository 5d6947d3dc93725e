package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

// tlsConfig is the trust set-up of an https:// run: a certificate pool that
// holds exactly the CA in --ca-file (never the system roots, never
// InsecureSkipVerify). It returns nil for an http:// URL, where --ca-file is
// ignored. net/http already links crypto/tls, so this costs no extra package
// initialisation; reading and parsing the PEM file is the TLS start-up.
func tlsConfig(cfg config) (*tls.Config, error) {
	if !strings.HasPrefix(cfg.baseURL, "https://") {
		return nil, nil
	}
	pem, err := os.ReadFile(cfg.caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, errors.New("--ca-file: no PEM certificate in " + cfg.caFile)
	}
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, nil
}
