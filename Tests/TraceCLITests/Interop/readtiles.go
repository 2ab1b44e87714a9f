// readtiles reads a trace log published as C2SP tlog-tiles, from a folder or a server, with
// Go's reference implementation, golang.org/x/mod/sumdb/tlog: it opens the checkpoint with
// golang.org/x/mod/sumdb/note, recomputes the tree hash from the tiles (TileHashReader,
// TreeHash), and for each entry given proves it (ProveRecord) and checks the proof against the
// checkpoint with the entry's bytes taken from its entry bundle.
//
// Usage: readtiles VERIFIER_KEY (DIR | http://HOST:PORT) ENTRY... Prints "ok" and exits 0 when all check.
package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

var base string

// get reads one resource by its C2SP path, from the folder or over HTTP.
func get(path string) ([]byte, error) {
	if strings.HasPrefix(base, "http://") {
		resp, err := http.Get(base + "/" + path)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
	return os.ReadFile(filepath.Join(base, path))
}

// c2spPath maps Debian's x/mod tile names (the sumdb way, tile/8/L/N and tile/8/data/N) to
// C2SP tlog-tiles names (tile/L/N and tile/entries/N).
func c2spPath(t tlog.Tile) string {
	p := t.Path()
	if strings.HasPrefix(p, "tile/8/data/") {
		return "tile/entries/" + strings.TrimPrefix(p, "tile/8/data/")
	}
	return "tile/" + strings.TrimPrefix(p, "tile/8/")
}

type tileReader struct{}

func (tileReader) Height() int { return 8 }

func (tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := get(c2spPath(t))
		if err != nil {
			return nil, err
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", c2spPath(t), len(data), t.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

func (tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

func main() {
	verifier, err := note.NewVerifier(os.Args[1])
	if err != nil {
		fail("verifier key: %v", err)
	}
	base = strings.TrimSuffix(os.Args[2], "/")
	raw, err := get("checkpoint")
	if err != nil {
		fail("checkpoint: %v", err)
	}
	n, err := note.Open(raw, note.VerifierList(verifier))
	if err != nil {
		fail("note.Open: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size %q", lines[1])
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("checkpoint root: %v", err)
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	tree := tlog.Tree{N: size, Hash: root}
	hashes := tlog.TileHashReader(tree, tileReader{})
	th, err := tlog.TreeHash(size, hashes)
	if err != nil {
		fail("tlog.TreeHash: %v", err)
	}
	if th != root {
		fail("tree hash %v from the tiles is not the checkpoint's %v", th, root)
	}
	for _, arg := range os.Args[3:] {
		index, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || index < 0 || index >= size {
			fail("entry %q is not in a tree of %d", arg, size)
		}
		proof, err := tlog.ProveRecord(size, index, hashes)
		if err != nil {
			fail("tlog.ProveRecord(%d): %v", index, err)
		}
		width := size - index/256*256
		if width > 256 {
			width = 256
		}
		bundle, err := get(c2spPath(tlog.Tile{H: 8, L: -1, N: index / 256, W: int(width)}))
		if err != nil {
			fail("entry bundle: %v", err)
		}
		var entry []byte
		for i := int64(0); i <= index%256; i++ {
			if len(bundle) < 2 {
				fail("entry bundle ends before entry %d", index)
			}
			length := int(bundle[0])<<8 | int(bundle[1])
			if len(bundle) < 2+length {
				fail("entry bundle ends inside entry %d", index/256*256+i)
			}
			entry, bundle = bundle[2:2+length], bundle[2+length:]
		}
		if err := tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(entry)); err != nil {
			fail("tlog.CheckRecord(%d): %v", index, err)
		}
	}
	fmt.Println("ok")
}
