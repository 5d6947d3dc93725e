package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// requestTimeout bounds each call; concurrent calls get the server-side delay
// on top.
const requestTimeout = 30 * time.Second

// bench is the HTTP side of one run: the client every call goes through, and
// the tally of response body bytes read.
type bench struct {
	client    *http.Client
	baseURL   string
	runID     string
	bytesRead atomic.Int64 // concurrent calls add to it from many goroutines
}

// newBench builds the one http.Client the scenario reuses; for an https://
// URL its Transport trusts only the CA in --ca-file (an error if that file
// holds no certificate).
func newBench(cfg config) (*bench, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	trust, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	transport.TLSClientConfig = trust
	timeout := requestTimeout
	switch cfg.scenario {
	case "sequential":
		// Each call must open its own TCP connection (requests.get in a
		// loop); with keep-alives off the Transport sends
		// "Connection: close" and never pools.
		transport.DisableKeepAlives = true
	case "concurrent":
		// DefaultMaxIdleConnsPerHost is 2: with more calls in flight the
		// Transport would close and redial most connections instead of
		// reusing them, so the pool must hold every concurrent connection.
		transport.MaxIdleConnsPerHost = cfg.concurrency
		transport.MaxIdleConns = max(transport.MaxIdleConns, cfg.concurrency)
		timeout += time.Duration(cfg.delayMS) * time.Millisecond
	}
	return &bench{
		client:  &http.Client{Transport: transport, Timeout: timeout},
		baseURL: cfg.baseURL,
		runID:   cfg.runID,
	}, nil
}

// send makes one request to baseURL+path, JSON-encoding payload if it is not
// nil. The caller must close the response body.
func (b *bench) send(method, path string, payload any) (*http.Response, error) {
	var body io.Reader
	if payload != nil {
		encoded, err := json.Marshal(payload)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encoding body: %w", method, path, err)
		}
		body = bytes.NewReader(encoded)
	}
	req, err := http.NewRequest(method, b.baseURL+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Polybench-Run", b.runID)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return b.client.Do(req)
}

// reply is a response read whole: fine for the small JSON bodies of every
// scenario but stream.
type reply struct {
	method string
	path   string
	status int
	header http.Header
	nonce  nonce
	body   []byte
}

// call makes one request and reads the whole body. Reading to EOF and
// closing is what returns the connection to the pool for the next call.
// A response without a valid nonce header is an error: it cannot be proved.
func (b *bench) call(method, path string, payload any) (reply, error) {
	resp, err := b.send(method, path, payload)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	b.bytesRead.Add(int64(len(body)))
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: reading body: %w", method, path, err)
	}
	n, err := readNonce(resp.Header)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: status %d, %w", method, path, resp.StatusCode, err)
	}
	return reply{method, path, resp.StatusCode, resp.Header, n, body}, nil
}

// failf returns an error naming the call it is about.
func (r reply) failf(format string, args ...any) error {
	return fmt.Errorf("%s %s: %s", r.method, r.path, fmt.Sprintf(format, args...))
}

// expectStatus checks the status code.
func (r reply) expectStatus(want int) error {
	if r.status != want {
		return r.failf("status %d, want %d", r.status, want)
	}
	return nil
}

// decode unmarshals the JSON body into v.
func (r reply) decode(v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		return r.failf("body %s is not the expected JSON: %v", excerpt(r.body), err)
	}
	return nil
}

// excerpt shortens a body for an error message.
func excerpt(body []byte) string {
	const limit = 120
	if len(body) > limit {
		return fmt.Sprintf("%q...", body[:limit])
	}
	return fmt.Sprintf("%q", body)
}
