package pyindex

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// The probe package: the smallest wheel that pip installs and Python imports.
const (
	ProjectName   = "credgen-probe" // PEP 503 normalised
	ProbeVersion  = "0.1.0"
	WheelFilename = "credgen_probe-0.1.0-py3-none-any.whl"
	ProbeModule   = "credgen_probe"
)

// wheelEpoch stamps every zip entry so the wheel, and so its sha256, is the
// same on every run and machine.
var wheelEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Wheel is a built distribution file and its PEP 503 hash.
type Wheel struct {
	Filename string
	Data     []byte
	SHA256   string // hex, as in a #sha256= link fragment
}

type wheelFile struct{ name, content string }

// probeFiles are the wheel's payload and metadata, RECORD excluded (it is
// computed from these).
func probeFiles() []wheelFile {
	distInfo := ProbeModule + "-" + ProbeVersion + ".dist-info/"
	return []wheelFile{
		{ProbeModule + "/__init__.py", "\"\"\"Probe package served by credgen's fake index.\"\"\"\n\n__version__ = \"" + ProbeVersion + "\"\n"},
		{distInfo + "METADATA", "Metadata-Version: 2.1\nName: " + ProjectName + "\nVersion: " + ProbeVersion + "\nSummary: Probe package served by credgen's fake index\n"},
		{distInfo + "WHEEL", "Wheel-Version: 1.0\nGenerator: credgen-fake-pyindex\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
}

// BuildProbeWheel builds credgen_probe-0.1.0-py3-none-any.whl in memory, with a
// RECORD whose hashes match, byte-identical on every call.
func BuildProbeWheel() (Wheel, error) {
	files := probeFiles()
	recordName := ProbeModule + "-" + ProbeVersion + ".dist-info/RECORD"
	files = append(files, wheelFile{recordName, record(files, recordName)})

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: wheelEpoch})
		if err != nil {
			return Wheel{}, fmt.Errorf("wheel entry %s: %w", f.name, err)
		}
		if _, err := w.Write([]byte(f.content)); err != nil {
			return Wheel{}, fmt.Errorf("wheel entry %s: %w", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return Wheel{}, fmt.Errorf("wheel: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return Wheel{Filename: WheelFilename, Data: buf.Bytes(), SHA256: hex.EncodeToString(sum[:])}, nil
}

// record renders a wheel RECORD (PEP 376/427): path,sha256=<urlsafe b64, no
// padding>,size per file, and the RECORD itself with empty hash and size.
func record(files []wheelFile, recordName string) string {
	var b strings.Builder
	for _, f := range files {
		sum := sha256.Sum256([]byte(f.content))
		fmt.Fprintf(&b, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.content))
	}
	fmt.Fprintf(&b, "%s,,\n", recordName)
	return b.String()
}
