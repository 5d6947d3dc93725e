// Command go-nethttp is polybench's Go client: the standard library's
// net/http, used the way an ordinary Go program would use it.
//
// It implements docs/contract.md: one scenario per process, one JSON line on
// stdout, diagnostics on stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

const clientName = "go-nethttp"

// Exit codes from the contract.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitUnsupported = 3
)

func main() {
	// Go runs every imported package's init before main, so this is as early
	// as a Go program can read the clock (see the contract's t_entry_ns).
	tEntry := time.Now().UnixNano()
	os.Exit(run(tEntry, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one scenario and returns the process exit code.
func run(tEntry int64, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(stderr, usage)
		return exitOK
	case errors.Is(err, errUnsupported):
		fmt.Fprintf(stderr, "%s: %v\n", clientName, err)
		return exitUnsupported
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n%s\n", clientName, err, usage)
		return exitUsage
	}

	rep := newReport(cfg.scenario, tEntry)
	rep.Requests = expectedCalls(cfg)
	b, err := newBench(cfg)
	rep.TReadyNS = time.Now().UnixNano()
	if err != nil {
		// No client without its trust set-up: every call counts as failed.
		rep.record(nonce{}, err)
	} else {
		runScenario(b, cfg, rep)
		rep.Bytes = b.bytesRead.Load()
	}
	rep.TDoneNS = time.Now().UnixNano()

	if err := writeReport(stdout, rep); err != nil {
		fmt.Fprintf(stderr, "%s: writing report: %v\n", clientName, err)
		return exitFailed
	}
	if rep.OK != rep.Requests {
		return exitFailed
	}
	return exitOK
}
