// Package parse turns a consumed file into what Quire stores: its text,
// an archive PDF (OCR'd, PDF/A) when OCR ran, a PNG thumbnail of the
// first page, the created date found in its name or content, and the
// metadata of /api/documents/<pk>/metadata/.
//
// The file type comes from the content (Sniff), never from the name. The
// external tools (pdftotext, pdfinfo, pdftoppm, ocrmypdf) sit behind small
// interfaces (TextExtractor, OCRer, Rasterizer, Inspector) with one
// exec-based implementation, Exec: exec.CommandContext in its own process
// group (a time-out kills the tool and its children), stderr kept in the
// returned error, binary paths and time-outs from Config.
//
// It imports only the standard library, golang.org/x/image and store/files.
package parse
