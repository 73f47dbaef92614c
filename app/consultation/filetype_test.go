package consultation_test

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/convene/convene/app/consultation"
)

// zipOf makes a zip of the named entries, the first stored uncompressed as ODF asks.
func zipOf(t testing.TB, entries ...[2]string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i, e := range entries {
		method := zip.Deflate
		if i == 0 {
			method = zip.Store
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFileType: a file is judged by its content: a PDF, an OpenDocument text and a Word
// document are known; a zip that is neither, an OpenDocument spreadsheet, a script or an
// image is not, whatever its name says.
func TestFileType(t *testing.T) {
	odt := zipOf(t, [2]string{"mimetype", consultation.TypeODT}, [2]string{"content.xml", "<office:document-content/>"})
	ods := zipOf(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, [2]string{"content.xml", "<x/>"})
	docx := zipOf(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"word/document.xml", "<w:document/>"})
	other := zipOf(t, [2]string{"readme.txt", "hola"})
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"a PDF", []byte("%PDF-1.7\n1 0 obj\n"), consultation.TypePDF},
		{"an OpenDocument text", odt, consultation.TypeODT},
		{"a Word document", docx, consultation.TypeDOCX},
		{"an OpenDocument spreadsheet", ods, ""},
		{"another zip", other, ""},
		{"a script", []byte("#!/bin/sh\nrm -rf /\n"), ""},
		{"a PNG", []byte("\x89PNG\r\n\x1a\n"), ""},
		{"a broken zip", []byte("PK\x03\x04garbage"), ""},
		{"nothing", nil, ""},
	} {
		if got := consultation.FileType(c.data); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if consultation.TypeOfName("Propuesta.DOCX") != consultation.TypeDOCX || consultation.TypeOfName("x.exe") != "" {
		t.Error("types of names")
	}
}

// FuzzFileType: whatever bytes arrive, judging them never panics, and only a PDF's or a zip's
// first bytes can be judged a known type.
func FuzzFileType(f *testing.F) {
	f.Add([]byte("%PDF-1.4"))
	f.Add(zipOf(f, [2]string{"mimetype", consultation.TypeODT}))
	f.Add(zipOf(f, [2]string{"[Content_Types].xml", ""}, [2]string{"word/document.xml", ""}))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := consultation.FileType(data)
		if got != "" && !bytes.HasPrefix(data, []byte("%PDF-")) && !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			t.Fatalf("%q judged %s", data[:min(len(data), 16)], got)
		}
	})
}
