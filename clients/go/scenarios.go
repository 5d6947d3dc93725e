package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"sync"
)

// streamChunk is the read size for stream: the body goes through the hash
// one chunk at a time and is never held whole.
const streamChunk = 64 << 10

// apiPayload is the body GET /api must return, as encoding/json decodes it
// into an any (numbers become float64).
var apiPayload = map[string]any{
	"message": "GET request received",
	"data":    []any{1.0, 2.0, 3.0},
}

// delayPayload is the body GET /delay/D must return.
func delayPayload(delayMS int) map[string]any {
	return map[string]any{"delay_ms": float64(delayMS)}
}

func isScenario(name string) bool {
	switch name {
	case "single", "sequential", "keepalive", "concurrent", "stream", "rest":
		return true
	}
	return false
}

// expectedCalls is the number of calls the scenario makes: what the report's
// requests says even when the client could not be set up.
func expectedCalls(cfg config) int {
	switch cfg.scenario {
	case "sequential", "keepalive", "concurrent":
		return cfg.requests
	case "rest":
		return restCalls
	}
	return 1
}

// runScenario makes the scenario's calls and records each in rep.
func runScenario(b *bench, cfg config, rep *report) {
	switch cfg.scenario {
	case "single":
		runSerial(b, 1, rep)
	case "sequential", "keepalive":
		// The same loop: the Transport built by newBench decides whether
		// each call gets a new connection or reuses the first.
		runSerial(b, cfg.requests, rep)
	case "concurrent":
		runConcurrent(b, cfg.requests, cfg.concurrency, cfg.delayMS, rep)
	case "stream":
		runStream(b, cfg.bytes, rep)
	case "rest":
		runRest(b, rep)
	}
}

// runSerial makes n GET /api calls one after another.
func runSerial(b *bench, n int, rep *report) {
	rep.Requests = n
	for range n {
		rep.record(b.checkGet("/api", apiPayload))
	}
}

// runConcurrent makes n GET /delay/D calls, at most c in flight at once.
func runConcurrent(b *bench, n, c, delayMS int, rep *report) {
	rep.Requests = n
	path := "/delay/" + strconv.Itoa(delayMS)
	want := delayPayload(delayMS)

	// Each goroutine writes only its own slot.
	results := make([]struct {
		nonce nonce
		err   error
	}, n)
	slots := make(chan struct{}, c)
	var wg sync.WaitGroup
	for i := range results {
		slots <- struct{}{} // blocks while c calls are in flight
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			results[i].nonce, results[i].err = b.checkGet(path, want)
		}()
	}
	wg.Wait()
	for _, r := range results {
		rep.record(r.nonce, r.err)
	}
}

// checkGet makes one GET and verifies a 200 whose JSON body equals want; it
// returns the response's nonce.
func (b *bench) checkGet(path string, want any) (nonce, error) {
	r, err := b.call(http.MethodGet, path, nil)
	if err != nil {
		return nonce{}, err
	}
	if err := r.expectStatus(http.StatusOK); err != nil {
		return nonce{}, err
	}
	return r.nonce, r.expectPayload(want)
}

// expectPayload checks that the JSON body equals want, whatever the key
// order and spacing.
func (r reply) expectPayload(want any) error {
	var got any
	if err := r.decode(&got); err != nil {
		return err
	}
	if !reflect.DeepEqual(got, want) {
		return r.failf("body %s, not the expected payload", excerpt(r.body))
	}
	return nil
}

// runStream downloads /bytes/B through SHA-256 and checks its size. The
// digest is reported, not checked: the server records what it sent and the
// orchestrator compares.
func runStream(b *bench, size int64, rep *report) {
	rep.Requests = 1
	digest, n, err := b.stream(size)
	if digest != "" {
		rep.SHA256 = &digest
	}
	rep.record(n, err)
}

// stream returns the hex digest of a 200 body read to the end and the
// response's nonce, and an error when the call does not verify.
func (b *bench) stream(size int64) (string, nonce, error) {
	path := "/bytes/" + strconv.FormatInt(size, 10)
	resp, err := b.send(http.MethodGet, path, nil)
	if err != nil {
		return "", nonce{}, err
	}
	defer resp.Body.Close()
	r := reply{method: http.MethodGet, path: path, status: resp.StatusCode}
	if err := r.expectStatus(http.StatusOK); err != nil {
		n, _ := io.Copy(io.Discard, resp.Body)
		b.bytesRead.Add(n)
		return "", nonce{}, err
	}

	hash := sha256.New()
	n, err := io.CopyBuffer(hash, resp.Body, make([]byte, streamChunk))
	b.bytesRead.Add(n)
	if err != nil {
		return "", nonce{}, r.failf("reading body after %d bytes: %v", n, err)
	}
	digest := hex.EncodeToString(hash.Sum(nil))

	if resp.ContentLength != size {
		return digest, nonce{}, r.failf("Content-Length %d, want %d", resp.ContentLength, size)
	}
	if n != size {
		return digest, nonce{}, r.failf("read %d bytes, want %d", n, size)
	}
	received, err := readNonce(resp.Header)
	if err != nil {
		return digest, nonce{}, r.failf("%v", err)
	}
	return digest, received, nil
}
