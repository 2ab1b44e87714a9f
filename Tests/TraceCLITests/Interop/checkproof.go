// checkproof verifies a trace checkpoint and inclusion proof with Go's reference
// implementations, golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog.
//
// Usage: go run checkproof.go VERIFIER_KEY PROOF_JSON
// PROOF_JSON is the output of `trace prove --json`. Prints "ok" and exits 0 when both check.
package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type proofFile struct {
	Entry      int64    `json:"entry"`
	TreeSize   int64    `json:"treeSize"`
	Proof      []string `json:"proof"`
	EntryBytes string   `json:"entryBytes"`
	Checkpoint string   `json:"checkpoint"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	verifier, err := note.NewVerifier(os.Args[1])
	if err != nil {
		fail("verifier key: %v", err)
	}
	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail("%v", err)
	}
	var p proofFile
	if err := json.Unmarshal(raw, &p); err != nil {
		fail("proof json: %v", err)
	}
	n, err := note.Open([]byte(p.Checkpoint), note.VerifierList(verifier))
	if err != nil {
		fail("note.Open: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		fail("checkpoint has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size != p.TreeSize {
		fail("checkpoint size %q does not match tree size %d", lines[1], p.TreeSize)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("checkpoint root: %v", err)
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	var proof tlog.RecordProof
	for _, h := range p.Proof {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != tlog.HashSize {
			fail("proof hash %q", h)
		}
		var hash tlog.Hash
		copy(hash[:], b)
		proof = append(proof, hash)
	}
	entry, err := base64.StdEncoding.DecodeString(p.EntryBytes)
	if err != nil {
		fail("entry bytes: %v", err)
	}
	if err := tlog.CheckRecord(proof, size, root, p.Entry, tlog.RecordHash(entry)); err != nil {
		fail("tlog.CheckRecord: %v", err)
	}
	fmt.Println("ok")
}
