package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
)

const usage = "usage: " + clientName + " SCENARIO --url URL --run-id ID" +
	" [--requests N] [--concurrency C] [--delay-ms D] [--bytes B] [--ca-file PATH]\n" +
	"scenarios: single, sequential, keepalive, concurrent, stream, rest"

// errUnsupported marks a scenario this client does not implement (exit 3).
var errUnsupported = errors.New("unsupported scenario")

// config is the parsed command line.
type config struct {
	scenario    string
	baseURL     string
	runID       string
	requests    int
	concurrency int
	delayMS     int
	bytes       int64
	caFile      string // the CA to trust for an https:// URL; ignored for http://
}

// parseArgs reads "SCENARIO --flag value ..." (os.Args without the program).
func parseArgs(args []string) (config, error) {
	if len(args) == 0 {
		return config{}, errors.New("missing SCENARIO")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		return config{}, flag.ErrHelp
	}
	if strings.HasPrefix(args[0], "-") {
		return config{}, fmt.Errorf("SCENARIO must come first, got %q", args[0])
	}
	cfg := config{scenario: args[0]}
	if !isScenario(cfg.scenario) {
		return config{}, fmt.Errorf("%w %q", errUnsupported, cfg.scenario)
	}

	fs := flag.NewFlagSet(clientName, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints the error and the usage once
	fs.StringVar(&cfg.baseURL, "url", "", "server base URL")
	fs.StringVar(&cfg.runID, "run-id", "", "run id sent as X-Polybench-Run")
	fs.IntVar(&cfg.requests, "requests", 1, "number of calls")
	fs.IntVar(&cfg.concurrency, "concurrency", 1, "calls in flight at once")
	fs.IntVar(&cfg.delayMS, "delay-ms", 0, "server-side delay per call")
	fs.Int64Var(&cfg.bytes, "bytes", 1<<20, "body size to download")
	fs.StringVar(&cfg.caFile, "ca-file", "", "PEM file of the one CA to trust over https")
	if err := fs.Parse(args[1:]); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.validate(); err != nil {
		return config{}, err
	}
	return cfg, nil
}

func (c config) validate() error {
	if c.baseURL == "" {
		return errors.New("--url is required")
	}
	u, err := url.Parse(c.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url must be an http(s) URL, got %q", c.baseURL)
	}
	if u.Scheme == "https" && c.caFile == "" {
		return errors.New("an https:// --url needs --ca-file (the CA to trust)")
	}
	if strings.HasSuffix(c.baseURL, "/") {
		return fmt.Errorf("--url must not end with a slash, got %q", c.baseURL)
	}
	if !validRunID(c.runID) {
		return fmt.Errorf("--run-id must match [A-Za-z0-9._-]{1,64}, got %q", c.runID)
	}
	if c.requests < 1 {
		return fmt.Errorf("--requests must be at least 1, got %d", c.requests)
	}
	if c.concurrency < 1 {
		return fmt.Errorf("--concurrency must be at least 1, got %d", c.concurrency)
	}
	if c.delayMS < 0 {
		return fmt.Errorf("--delay-ms must not be negative, got %d", c.delayMS)
	}
	if c.bytes < 0 {
		return fmt.Errorf("--bytes must not be negative, got %d", c.bytes)
	}
	return nil
}

// validRunID reports whether id matches [A-Za-z0-9._-]{1,64}.
func validRunID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}
