package main

import (
	"encoding/hex"
	"fmt"
	"net/http"
)

// nonceHeader carries the 16 random bytes the server draws for each
// response and records per run: the proof that the response was received.
const nonceHeader = "X-Polybench-Nonce"

// nonce is one response's X-Polybench-Nonce, or, as the report's receipt,
// the XOR of the nonces of every verified response. XOR is order-independent,
// so goroutines finishing in any order give the same receipt.
type nonce [16]byte

// readNonce parses the nonce header of a response: 32 hex digits.
func readNonce(header http.Header) (nonce, error) {
	var n nonce
	value := header.Get(nonceHeader)
	if len(value) != hex.EncodedLen(len(n)) {
		return n, fmt.Errorf("header %s %q is not %d hex digits", nonceHeader, value, hex.EncodedLen(len(n)))
	}
	if _, err := hex.Decode(n[:], []byte(value)); err != nil {
		return n, fmt.Errorf("header %s %q is not hex: %v", nonceHeader, value, err)
	}
	return n, nil
}

// xor folds other into n.
func (n *nonce) xor(other nonce) {
	for i := range n {
		n[i] ^= other[i]
	}
}

// MarshalText gives the 32 lowercase hex digits the report prints.
func (n nonce) MarshalText() ([]byte, error) {
	return []byte(hex.EncodeToString(n[:])), nil
}
