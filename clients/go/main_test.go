package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const testURL = "http://127.0.0.1:8123"

func TestParseArgsDefaults(t *testing.T) {
	cfg, err := parseArgs([]string{"single", "--url", testURL, "--run-id", "r-1.x_Y"})
	if err != nil {
		t.Fatal(err)
	}
	want := config{scenario: "single", baseURL: testURL, runID: "r-1.x_Y",
		requests: 1, concurrency: 1, delayMS: 0, bytes: 1048576}
	if cfg != want {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
}

func TestParseArgsAllFlags(t *testing.T) {
	cfg, err := parseArgs([]string{"concurrent", "--url", testURL, "--run-id", "r",
		"--requests", "50", "--concurrency", "10", "--delay-ms", "200", "--bytes", "5000000000"})
	if err != nil {
		t.Fatal(err)
	}
	want := config{scenario: "concurrent", baseURL: testURL, runID: "r",
		requests: 50, concurrency: 10, delayMS: 200, bytes: 5000000000}
	if cfg != want {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
}

func TestParseArgsUsageErrors(t *testing.T) {
	ok := []string{"--url", testURL, "--run-id", "r"}
	cases := map[string][]string{
		"no scenario":     {},
		"flag first":      {"--url", testURL, "single", "--run-id", "r"},
		"no url":          {"single", "--run-id", "r"},
		"no run id":       {"single", "--url", testURL},
		"bad run id":      {"single", "--url", testURL, "--run-id", "a b"},
		"long run id":     {"single", "--url", testURL, "--run-id", strings.Repeat("a", 65)},
		"trailing slash":  {"single", "--url", testURL + "/", "--run-id", "r"},
		"not http":        {"single", "--url", "127.0.0.1:8123", "--run-id", "r"},
		"https, no CA":    {"single", "--url", "https://127.0.0.1:8443", "--run-id", "r"},
		"zero requests":   append([]string{"sequential"}, append(ok, "--requests", "0")...),
		"zero concurrent": append([]string{"concurrent"}, append(ok, "--concurrency", "0")...),
		"negative delay":  append([]string{"concurrent"}, append(ok, "--delay-ms", "-1")...),
		"negative bytes":  append([]string{"stream"}, append(ok, "--bytes", "-1")...),
		"not a number":    append([]string{"sequential"}, append(ok, "--requests", "ten")...),
		"unknown flag":    append([]string{"single"}, append(ok, "--verbose", "1")...),
		"extra argument":  append([]string{"single"}, append(ok, "more")...),
	}
	for name, args := range cases {
		_, err := parseArgs(args)
		if err == nil || errors.Is(err, errUnsupported) || errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s: got %v, want a usage error", name, err)
		}
	}
}

func TestParseArgsUnsupportedScenario(t *testing.T) {
	_, err := parseArgs([]string{"websocket", "--url", testURL, "--run-id", "r"})
	if !errors.Is(err, errUnsupported) {
		t.Errorf("got %v, want errUnsupported", err)
	}
}

func TestRunExitCodes(t *testing.T) {
	cases := map[string]struct {
		args []string
		want int
	}{
		"help":        {[]string{"--help"}, exitOK},
		"usage":       {[]string{"single"}, exitUsage},
		"unsupported": {[]string{"websocket", "--url", testURL, "--run-id", "r"}, exitUnsupported},
	}
	for name, c := range cases {
		var stdout, stderr bytes.Buffer
		if got := run(0, c.args, &stdout, &stderr); got != c.want {
			t.Errorf("%s: exit %d, want %d", name, got, c.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("%s: wrote %q to stdout, want nothing", name, stdout.String())
		}
		if stderr.Len() == 0 {
			t.Errorf("%s: nothing on stderr", name)
		}
	}
}

func TestCheckPayloads(t *testing.T) {
	cases := []struct {
		body string
		want any
		ok   bool
	}{
		{`{"message": "GET request received", "data": [1, 2, 3]}`, apiPayload, true},
		{`{"data":[1,2,3],"message":"GET request received"}`, apiPayload, true},
		{`{"message": "GET request received", "data": [1, 2]}`, apiPayload, false},
		{`{"message": "GET request received", "data": [1, 2, 3], "x": 1}`, apiPayload, false},
		{`{"message": "GET request received"}`, apiPayload, false},
		{`{"message": "GET request received", "data": [1, 2, 3]`, apiPayload, false},
		{`{"delay_ms": 200}`, delayPayload(200), true},
		{`{"delay_ms": 201}`, delayPayload(200), false},
		{`{"delay_ms": "200"}`, delayPayload(200), false},
	}
	for _, c := range cases {
		r := reply{method: "GET", path: "/api", status: 200, body: []byte(c.body)}
		err := r.expectPayload(c.want)
		if (err == nil) != c.ok {
			t.Errorf("%s: got error %v, want ok=%v", c.body, err, c.ok)
		}
	}
}

func TestRecordCapsErrors(t *testing.T) {
	rep := newReport("sequential", 0)
	rep.record(nonce{}, nil)
	for range 15 {
		rep.record(nonce{}, errors.New("boom"))
	}
	if rep.OK != 1 || len(rep.Errors) != maxErrors {
		t.Errorf("ok %d, %d errors; want 1 and %d", rep.OK, len(rep.Errors), maxErrors)
	}
}

func TestReportShape(t *testing.T) {
	rep := newReport("single", 1)
	rep.Requests, rep.OK, rep.TReadyNS, rep.TDoneNS = 1, 1, 2, 3
	var out bytes.Buffer
	if err := writeReport(&out, rep); err != nil {
		t.Fatal(err)
	}
	line := out.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Fatalf("want exactly one line, got %q", line)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	wantKeys := []string{"bytes", "client", "errors", "library", "ok", "receipt", "requests",
		"scenario", "sha256", "t_done_ns", "t_entry_ns", "t_ready_ns"}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("keys %v, want %v", keys, wantKeys)
	}
	if got["receipt"] != strings.Repeat("0", 32) {
		t.Errorf("receipt %v, want 32 zeros when nothing was verified", got["receipt"])
	}
	if got["sha256"] != nil {
		t.Errorf("sha256 %v, want null", got["sha256"])
	}
	if errs, ok := got["errors"].([]any); !ok || len(errs) != 0 {
		t.Errorf("errors %v, want []", got["errors"])
	}
	if got["client"] != clientName {
		t.Errorf("client %v, want %s", got["client"], clientName)
	}
}

func TestCAFileIsReadForHTTPSOnly(t *testing.T) {
	cfg, err := parseArgs([]string{"single", "--url", testURL, "--run-id", "r", "--ca-file", "/nonexistent"})
	if err != nil {
		t.Fatalf("http:// with --ca-file: %v", err)
	}
	if trust, err := tlsConfig(cfg); trust != nil || err != nil {
		t.Errorf("http:// must ignore --ca-file, got %v, %v", trust, err)
	}
	cfg, err = parseArgs([]string{"single", "--url", "https://127.0.0.1:8443", "--run-id", "r", "--ca-file", "/nonexistent"})
	if err != nil {
		t.Fatalf("https:// with --ca-file: %v", err)
	}
	if _, err := tlsConfig(cfg); err == nil {
		t.Error("a missing CA file must be an error")
	}
	notPEM := t.TempDir() + "/ca.pem"
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.caFile = notPEM
	if _, err := tlsConfig(cfg); err == nil {
		t.Error("a CA file without a certificate must be an error")
	}
}
