package consultation

import (
	"archive/zip"
	"bytes"
	"io"
	"path"
	"strings"
)

// The files a submission may carry, judged by what they hold, not by their names: a PDF
// begins "%PDF-"; an OpenDocument text is a zip whose first entry, "mimetype", stored
// uncompressed, says so; a Word document is a zip with "[Content_Types].xml" and
// "word/document.xml". A name's extension must agree with the content.
const (
	TypePDF  = "application/pdf"
	TypeODT  = "application/vnd.oasis.opendocument.text"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

var extensions = map[string]string{".pdf": TypePDF, ".odt": TypeODT, ".docx": TypeDOCX}

// FileType is the type of a file's content, if it is one a submission may carry ("" else).
func FileType(data []byte) string {
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return TypePDF
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return ""
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) == 0 || len(zr.File) > 10_000 {
		return ""
	}
	if first := zr.File[0]; first.Name == "mimetype" && first.Method == zip.Store && first.UncompressedSize64 < 100 {
		rc, err := first.Open()
		if err != nil {
			return ""
		}
		defer rc.Close()
		mimetype, err := io.ReadAll(io.LimitReader(rc, 100))
		if err == nil && string(mimetype) == TypeODT {
			return TypeODT
		}
		return ""
	}
	var types, document bool
	for _, f := range zr.File {
		switch f.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			document = true
		}
	}
	if types && document {
		return TypeDOCX
	}
	return ""
}

// TypeOfName is the type a file's name claims by its extension ("" for any other).
func TypeOfName(name string) string {
	return extensions[strings.ToLower(path.Ext(name))]
}
