package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func mustNonce(t *testing.T, value string) nonce {
	t.Helper()
	n, err := readNonce(http.Header{nonceHeader: {value}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReadNonce(t *testing.T) {
	n := mustNonce(t, "00112233445566778899aabbccddeeff")
	want := nonce{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	if n != want {
		t.Errorf("got %x, want %x", n, want)
	}
	if upper := mustNonce(t, "00112233445566778899AABBCCDDEEFF"); upper != want {
		t.Errorf("upper case: got %x, want %x", upper, want)
	}
	for _, bad := range []string{"", "00112233", strings.Repeat("0", 33), strings.Repeat("g", 32)} {
		if _, err := readNonce(http.Header{nonceHeader: {bad}}); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	if _, err := readNonce(http.Header{}); err == nil {
		t.Error("missing header: accepted")
	}
}

// TestReceiptIsTheXOROfVerifiedNonces checks known vectors, and that a
// failed call's nonce stays out of the receipt.
func TestReceiptIsTheXOROfVerifiedNonces(t *testing.T) {
	receipt := func(rep *report) string {
		text, err := rep.Receipt.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		return string(text)
	}
	rep := newReport("sequential", 0)
	if got := receipt(rep); got != strings.Repeat("0", 32) {
		t.Errorf("no calls: receipt %s, want 32 zeros", got)
	}
	rep.record(mustNonce(t, "00112233445566778899aabbccddeeff"), nil)
	rep.record(mustNonce(t, "0f1e2d3c4b5a69788796a5b4c3d2e1f0"), nil)
	if got := receipt(rep); got != "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" {
		t.Errorf("two nonces: receipt %s", got)
	}
	rep.record(mustNonce(t, "0123456789abcdef0123456789abcdef"), errors.New("status 500"))
	rep.record(mustNonce(t, "ffffffffffffffffffffffffffffffff"), nil)
	if got := receipt(rep); got != "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0" {
		t.Errorf("three nonces and a failure: receipt %s", got)
	}
	if rep.OK != 3 {
		t.Errorf("ok %d, want 3", rep.OK)
	}
}

// stubServer answers /api, /delay/D and /bytes/B the way the polybench
// server does: a fresh random nonce on every response and, for /bytes,
// random content with no X-Polybench-SHA256 header. It remembers the XOR of
// the nonces and the digest of the bytes it sent.
type stubServer struct {
	*httptest.Server
	mu      sync.Mutex
	receipt nonce
	sha256  string
	noNonce bool // leave the nonce header out
}

func newStubServer(t *testing.T) *stubServer {
	s := &stubServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *stubServer) serve(w http.ResponseWriter, r *http.Request) {
	var n nonce
	rand.Read(n[:])
	if !s.noNonce {
		s.mu.Lock()
		s.receipt.xor(n)
		s.mu.Unlock()
		w.Header().Set(nonceHeader, hex.EncodeToString(n[:]))
	}
	switch {
	case r.URL.Path == "/api":
		fmt.Fprint(w, `{"message": "GET request received", "data": [1, 2, 3]}`)
	case strings.HasPrefix(r.URL.Path, "/delay/"):
		fmt.Fprintf(w, `{"delay_ms": %s}`, strings.TrimPrefix(r.URL.Path, "/delay/"))
	case strings.HasPrefix(r.URL.Path, "/bytes/"):
		size, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/bytes/"))
		body := make([]byte, size)
		rand.Read(body)
		sum := sha256.Sum256(body)
		s.mu.Lock()
		s.sha256 = hex.EncodeToString(sum[:])
		s.mu.Unlock()
		w.Header().Set("Content-Length", strconv.Itoa(size))
		w.Write(body)
	default:
		http.NotFound(w, r)
	}
}

// runAgainst runs the client in-process and decodes its JSON line.
func runAgainst(t *testing.T, s *stubServer, args ...string) (int, map[string]any) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append(args, "--url", s.URL, "--run-id", "go-test")
	code := run(1, args, &stdout, &stderr)
	var line map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &line); err != nil {
		t.Fatalf("%v: stdout %q is not JSON: %v", args, stdout.String(), err)
	}
	return code, line
}

func TestRunReportsTheReceiptOfWhatTheServerSent(t *testing.T) {
	for _, args := range [][]string{
		{"single"},
		{"keepalive", "--requests", "5"},
		{"sequential", "--requests", "3"},
		{"concurrent", "--requests", "20", "--concurrency", "4"},
	} {
		s := newStubServer(t)
		code, line := runAgainst(t, s, args...)
		want, _ := s.receipt.MarshalText()
		if code != exitOK || line["receipt"] != string(want) {
			t.Errorf("%v: exit %d, receipt %v, want 0 and %s (errors %v)",
				args, code, line["receipt"], want, line["errors"])
		}
	}
}

func TestStreamNeedsNoSHA256Header(t *testing.T) {
	s := newStubServer(t)
	code, line := runAgainst(t, s, "stream", "--bytes", "300000")
	want, _ := s.receipt.MarshalText()
	if code != exitOK || line["sha256"] != s.sha256 || line["receipt"] != string(want) {
		t.Errorf("exit %d, sha256 %v, receipt %v; want 0, %s, %s (errors %v)",
			code, line["sha256"], line["receipt"], s.sha256, want, line["errors"])
	}
	if line["bytes"] != 300000.0 {
		t.Errorf("bytes %v, want 300000", line["bytes"])
	}
}

func TestResponsesWithoutNonceAreNotVerified(t *testing.T) {
	for _, args := range [][]string{{"keepalive", "--requests", "2"}, {"stream", "--bytes", "1000"}} {
		s := newStubServer(t)
		s.noNonce = true
		code, line := runAgainst(t, s, args...)
		errs, _ := line["errors"].([]any)
		if code != exitFailed || line["ok"] != 0.0 || line["receipt"] != strings.Repeat("0", 32) ||
			len(errs) == 0 || !strings.Contains(fmt.Sprint(errs[0]), nonceHeader) {
			t.Errorf("%v: exit %d, ok %v, receipt %v, errors %v; want 1, 0, zeros and a nonce error",
				args, code, line["ok"], line["receipt"], errs)
		}
	}
}
