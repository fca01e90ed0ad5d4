package parse

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/bmp"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// OCR modes, as paperless-ng's PAPERLESS_OCR_MODE.
const (
	ModeSkip          = "skip"           // OCR pages without text; always make an archive version
	ModeSkipNoArchive = "skip_noarchive" // a PDF whose pages all have text is not OCR'd, no archive
	ModeRedo          = "redo"           // replace existing OCR text; keep real text
	ModeForce         = "force"          // rasterise and OCR every page
)

// ValidMode reports whether m is one of the OCR modes.
func ValidMode(m string) bool {
	switch m {
	case ModeSkip, ModeSkipNoArchive, ModeRedo, ModeForce:
		return true
	}
	return false
}

// Config is the parser's part of the consumer configuration.
type Config struct {
	OCRMode        string // default ModeSkip
	OCRLanguage    string // tesseract languages, default "eng"
	OCRPages       int    // OCR only the first N pages; 0 = all
	ThumbnailWidth int    // default 500
	Jobs           int    // ocrmypdf --jobs; default 1
}

// Result is a parsed document. Archive and Thumbnail are files in the
// scratch folder Parse was given ("" when not made).
type Result struct {
	Content   string
	Archive   string
	Thumbnail string
	Pages     int // pages of the original; 0 when not known (text, TIFF)
}

// Error is a parse failure: a message fit for the task and the log, and
// whether trying again might help (a tool timed out or crashed).
type Error struct {
	Msg       string
	Transient bool
	Err       error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Parser turns a file into a Result with the tools.
type Parser struct {
	Tools  Tools
	Config Config
	// Log receives the parser's log lines (level as store.Level*); nil
	// discards them.
	Log func(level int, msg string)
	// Progress receives progress values (0–100) while OCR runs; nil ignores.
	Progress func(pct int)
}

func (p *Parser) log(level int, format string, args ...any) {
	if p.Log != nil {
		p.Log(level, fmt.Sprintf(format, args...))
	}
}

func (p *Parser) progress(pct int) {
	if p.Progress != nil {
		p.Progress(pct)
	}
}

// Name is the parser's name for the "Parser: <name> based on mime type"
// log line.
func Name(mime string) string {
	if strings.HasPrefix(mime, "text/") {
		return "TextDocumentParser"
	}
	return "RasterisedDocumentParser"
}

// Parse reads the file at path of the given (sniffed) MIME type, writing
// its outputs into scratch, and generates the thumbnail. It returns an
// *Error on failure.
func (p *Parser) Parse(ctx context.Context, path, mime, scratch string) (*Result, error) {
	var res *Result
	var err error
	switch {
	case mime == MimePDF:
		res, err = p.parsePDF(ctx, path, scratch)
	case strings.HasPrefix(mime, "image/"):
		res, err = p.parseImage(ctx, path, mime, scratch)
		if err == nil && mime != MimeTIFF { // one frame: one page
			res.Pages = 1
		}
	case mime == MimeText || mime == MimeCSV:
		res, err = p.parseText(path, scratch)
	default:
		return nil, &Error{Msg: "Unsupported mime type " + mime}
	}
	if err != nil {
		return nil, err
	}
	// No database stores a NUL character in text (a text file may hold
	// some past the sniffed head): it is no part of the words.
	res.Content = strings.ReplaceAll(strings.ToValidUTF8(res.Content, "\uFFFD"), "\x00", "")
	if mime == MimePDF || strings.HasPrefix(mime, "image/") {
		src := path
		if res.Archive != "" {
			src = res.Archive
		}
		p.progress(70)
		thumb := filepath.Join(scratch, "thumbnail.png")
		if err := p.Tools.Thumbnail(ctx, src, thumb, p.width()); err != nil {
			return nil, toolFailure("generate the thumbnail", err)
		}
		res.Thumbnail = thumb
	}
	return res, nil
}

func (p *Parser) width() int {
	if p.Config.ThumbnailWidth > 0 {
		return p.Config.ThumbnailWidth
	}
	return 500
}

func (p *Parser) mode() string {
	if ValidMode(p.Config.OCRMode) {
		return p.Config.OCRMode
	}
	return ModeSkip
}

func (p *Parser) ocrOptions(scratch string) OCROptions {
	mode := p.mode()
	if mode == ModeSkipNoArchive {
		mode = ModeSkip
	}
	lang := p.Config.OCRLanguage
	if lang == "" {
		lang = "eng"
	}
	return OCROptions{Mode: mode, Language: lang, Pages: p.Config.OCRPages, Archive: true,
		Sidecar: filepath.Join(scratch, "sidecar.txt"), Jobs: p.Config.Jobs, TempDir: scratch}
}

func (p *Parser) parsePDF(ctx context.Context, path, scratch string) (res *Result, err error) {
	original, textErr := p.Tools.PDFText(ctx, path)
	defer func() {
		if res != nil && textErr == nil {
			res.Pages = strings.Count(original, "\f") // pdftotext ends every page with a form feed
		}
	}()
	if te := (*ToolError)(nil); errors.As(textErr, &te) && te.Transient() {
		return nil, toolFailure("read the text of the PDF", textErr)
	}
	hasText := textErr == nil && len(strings.TrimSpace(original)) > 50 && everyPageHasText(original)
	if p.mode() == ModeSkipNoArchive && hasText {
		p.log(10, "Document has text, skipping OCRmyPDF entirely.")
		return &Result{Content: PostProcess(original)}, nil
	}
	p.progress(30)
	archive := filepath.Join(scratch, "archive.pdf")
	o := p.ocrOptions(scratch)
	err = p.Tools.OCR(ctx, path, archive, o)
	var te *ToolError
	switch {
	case err == nil:
	case errors.As(err, &te) && te.Transient():
		return nil, toolFailure("OCR the document", err)
	case errors.As(err, &te) && te.ExitCode == 8: // EncryptedPdfError
		if textErr == nil && strings.TrimSpace(original) != "" {
			p.log(30, "This file is encrypted, OCR is impossible. Using any text present in the original file.")
			return &Result{Content: PostProcess(original)}, nil
		}
		return nil, &Error{Msg: "The PDF is encrypted (password-protected): it cannot be read or OCR'd", Err: err}
	case errors.As(err, &te) && te.ExitCode == 10 && fileExists(archive): // PDF/A conversion failed; output is a valid PDF
		p.log(30, "OCRmyPDF could not produce PDF/A; the archive version is a plain PDF.")
	default:
		if textErr != nil {
			return nil, &Error{Msg: "The PDF could not be read (damaged or not a PDF): " + firstLine(errText(textErr)), Err: err}
		}
		p.log(30, "Encountered an error while running OCR: %s. Attempting force OCR to get the text.", firstLine(errText(err)))
		return p.forceFallback(ctx, path, scratch, original)
	}
	content := p.ocrText(ctx, o.Sidecar, archive)
	if content == "" && hasText {
		content = PostProcess(original)
	}
	if content == "" {
		return nil, &Error{Msg: "No text was found in the document"}
	}
	return &Result{Content: content, Archive: archive}, nil
}

// forceFallback is paperless's safe fallback: force OCR, no archive.
func (p *Parser) forceFallback(ctx context.Context, path, scratch, original string) (*Result, error) {
	o := p.ocrOptions(scratch)
	o.Mode, o.Archive = ModeForce, false
	o.Sidecar = filepath.Join(scratch, "sidecar-fallback.txt")
	out := filepath.Join(scratch, "fallback.pdf")
	if err := p.Tools.OCR(ctx, path, out, o); err != nil {
		return nil, toolFailure("OCR the document", err)
	}
	content := p.ocrText(ctx, o.Sidecar, out)
	if content == "" {
		content = PostProcess(original)
	}
	if content == "" {
		return nil, &Error{Msg: "No text was found in the document"}
	}
	return &Result{Content: content}, nil
}

// ocrText prefers ocrmypdf's sidecar unless it skipped pages (then the
// text of the output PDF is complete) or the mode is redo.
func (p *Parser) ocrText(ctx context.Context, sidecar, pdf string) string {
	if b, err := os.ReadFile(sidecar); err == nil && p.mode() != ModeRedo && !bytes.Contains(b, []byte("[OCR skipped on page")) {
		if s := PostProcess(string(b)); s != "" {
			return s
		}
	}
	t, err := p.Tools.PDFText(ctx, pdf)
	if err != nil {
		return ""
	}
	return PostProcess(t)
}

func (p *Parser) parseImage(ctx context.Context, path, mime, scratch string) (*Result, error) {
	in, dpi, err := prepareImage(path, mime, scratch)
	if err != nil {
		return nil, &Error{Msg: "The image could not be read: " + err.Error(), Err: err}
	}
	p.progress(30)
	o := p.ocrOptions(scratch)
	if o.Mode == ModeRedo {
		o.Mode = ModeSkip // an image has no text layer to redo
	}
	o.ImageDPI = dpi
	archive := filepath.Join(scratch, "archive.pdf")
	err = p.Tools.OCR(ctx, in, archive, o)
	var te *ToolError
	if errors.As(err, &te) && te.ExitCode == 2 && o.ImageDPI == 0 && strings.Contains(strings.ToLower(te.Stderr), "dpi") {
		o.ImageDPI = a4DPI(path)
		err = p.Tools.OCR(ctx, in, archive, o)
	}
	if errors.As(err, &te) && te.ExitCode == 10 && fileExists(archive) {
		err = nil
	}
	if err != nil {
		return nil, toolFailure("OCR the image", err)
	}
	content := p.ocrText(ctx, o.Sidecar, archive)
	if content == "" {
		return nil, &Error{Msg: "No text was found in the document"}
	}
	return &Result{Content: content, Archive: archive}, nil
}

func (p *Parser) parseText(path, scratch string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Msg: "The file could not be read: " + err.Error(), Err: err}
	}
	text := string(b)
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	thumb := filepath.Join(scratch, "thumbnail.png")
	if err := textThumbnail(text, thumb); err != nil {
		return nil, &Error{Msg: "Could not render the thumbnail: " + err.Error(), Err: err}
	}
	return &Result{Content: strings.TrimSpace(text), Thumbnail: thumb}, nil
}

// toolFailure wraps a tool error as an *Error for the task.
func toolFailure(what string, err error) error {
	var te *ToolError
	if errors.As(err, &te) {
		return &Error{Msg: fmt.Sprintf("Could not %s: %s", what, firstLine(te.Error())), Transient: te.Transient(), Err: err}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Msg: "consumption was interrupted", Transient: true, Err: err}
	}
	return &Error{Msg: fmt.Sprintf("Could not %s: %v", what, err), Err: err}
}

func errText(err error) string {
	var te *ToolError
	if errors.As(err, &te) && te.Stderr != "" {
		return te.Stderr
	}
	return err.Error()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() > 0
}

// everyPageHasText reports whether every page of pdftotext output (pages
// end with \f) has some text.
func everyPageHasText(text string) bool {
	pages := strings.Split(strings.TrimRight(text, "\f\n "), "\f")
	for _, pg := range pages {
		if strings.TrimSpace(pg) == "" {
			return false
		}
	}
	return true
}

var (
	spaceRunRE  = regexp.MustCompile(`[^\S\r\n]+`)
	leadSpaceRE = regexp.MustCompile(`([\n\r]+)[^\S\n\r]+`)
)

// PostProcess collapses runs of spaces, removes leading spaces of lines
// and trims (paperless's post_process_text).
func PostProcess(text string) string {
	text = strings.ReplaceAll(text, "\f", "\n")
	text = spaceRunRE.ReplaceAllString(text, " ")
	text = leadSpaceRE.ReplaceAllString(text, "$1")
	return strings.TrimSpace(text)
}

// prepareImage returns the file to give ocrmypdf and the DPI to tell it
// (0: the file's own). GIF, WebP, BMP and PNGs with alpha are converted
// to an opaque PNG, which ocrmypdf (img2pdf) accepts.
func prepareImage(path, mime, scratch string) (string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := f.Read(head)
	head = head[:n]
	switch mime {
	case MimeJPEG:
		if jpegHasDPI(head) {
			return path, 0, nil
		}
		return path, a4DPI(path), nil
	case MimePNG:
		cfg, err := png.DecodeConfig(bytes.NewReader(head))
		if err != nil {
			return "", 0, err
		}
		if !hasAlpha(cfg.ColorModel) {
			if pngHasDPI(head) {
				return path, 0, nil
			}
			return path, a4DPI(path), nil
		}
	case MimeTIFF:
		cfg, err := tiff.DecodeConfig(bytes.NewReader(head))
		if err != nil || !hasAlpha(cfg.ColorModel) {
			return path, 0, nil
		}
		// ocrmypdf refuses alpha channels; Go's TIFF decoder reads the
		// first page only, so a multi-page TIFF with alpha keeps page one.
	}
	if _, err := f.Seek(0, 0); err != nil {
		return "", 0, err
	}
	var img image.Image
	switch mime {
	case MimePNG:
		img, err = png.Decode(f)
	case MimeGIF:
		img, err = gif.Decode(f)
	case MimeWebP:
		img, err = webp.Decode(f)
	case MimeBMP:
		img, err = bmp.Decode(f)
	case MimeTIFF:
		img, err = tiff.Decode(f)
	default:
		return "", 0, fmt.Errorf("unsupported image type %s", mime)
	}
	if err != nil {
		return "", 0, err
	}
	flat := image.NewRGBA(img.Bounds())
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	out := filepath.Join(scratch, "input.png")
	w, err := os.Create(out)
	if err != nil {
		return "", 0, err
	}
	if err := png.Encode(w, flat); err != nil {
		w.Close()
		return "", 0, err
	}
	if err := w.Close(); err != nil {
		return "", 0, err
	}
	return out, a4DPIWidth(img.Bounds().Dx()), nil
}

func hasAlpha(m color.Model) bool {
	switch m {
	case color.RGBAModel, color.RGBA64Model, color.NRGBAModel, color.NRGBA64Model, color.AlphaModel, color.Alpha16Model:
		return true
	}
	_, paletted := m.(color.Palette)
	return paletted // palettes may hold transparent entries
}

// pngHasDPI reports a pHYs chunk in metres.
func pngHasDPI(b []byte) bool {
	i := bytes.Index(b, []byte("pHYs"))
	if i < 0 || len(b) < i+13 {
		return false
	}
	x := binary.BigEndian.Uint32(b[i+4:])
	return b[i+12] == 1 && x > 0
}

// jpegHasDPI reports a JFIF APP0 density in dots per inch or cm.
func jpegHasDPI(b []byte) bool {
	i := bytes.Index(b, []byte("JFIF\x00"))
	if i < 0 || len(b) < i+12 {
		return false
	}
	unit, x := b[i+7], binary.BigEndian.Uint16(b[i+8:])
	return (unit == 1 || unit == 2) && x > 1
}

// a4DPI guesses a resolution assuming the image is an A4 page wide.
func a4DPI(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 300
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return 300
	}
	return a4DPIWidth(cfg.Width)
}

func a4DPIWidth(width int) int {
	dpi := int(float64(width)/8.27 + 0.5)
	return max(dpi, 72)
}

// textThumbnail renders the first 50 lines of text on a 500×647 page.
func textThumbnail(text, out string) error {
	img := image.NewRGBA(image.Rect(0, 0, 500, 647))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.Black, Face: basicfont.Face7x13}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines) && i < 50; i++ {
		line := strings.ReplaceAll(lines[i], "\t", "    ")
		d.Dot = fixed.P(5, 13*(i+1))
		d.DrawString(line)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o640)
}

var _ = jpeg.Decode // image/jpeg registers the decoder for DecodeConfig
