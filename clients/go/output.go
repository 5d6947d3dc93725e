package main

import (
	"encoding/json"
	"io"
)

// maxErrors is how many error messages the report keeps.
const maxErrors = 10

// report is the one JSON line the contract asks for.
type report struct {
	Client   string   `json:"client"`
	Library  string   `json:"library"`
	Scenario string   `json:"scenario"`
	Requests int      `json:"requests"`
	OK       int      `json:"ok"`
	Bytes    int64    `json:"bytes"`
	SHA256   *string  `json:"sha256"` // null unless stream read a body
	Errors   []string `json:"errors"`
	Receipt  nonce    `json:"receipt"` // XOR of the verified responses' nonces
	TEntryNS int64    `json:"t_entry_ns"`
	TReadyNS int64    `json:"t_ready_ns"`
	TDoneNS  int64    `json:"t_done_ns"`
}

func newReport(scenario string, tEntry int64) *report {
	return &report{
		Client:   clientName,
		Library:  "net/http",
		Scenario: scenario,
		Errors:   []string{}, // [] rather than null when all is well
		TEntryNS: tEntry,
	}
}

// record counts one call: verified if err is nil, its nonce then folded into
// the receipt; else failed, with err kept.
func (r *report) record(n nonce, err error) {
	if err == nil {
		r.OK++
		r.Receipt.xor(n)
		return
	}
	if len(r.Errors) < maxErrors {
		r.Errors = append(r.Errors, err.Error())
	}
}

// writeReport writes rep as a single line of JSON.
func writeReport(w io.Writer, rep *report) error {
	return json.NewEncoder(w).Encode(rep)
}
