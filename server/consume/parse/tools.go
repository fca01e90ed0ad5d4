package parse

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// TextExtractor reads the text layer of a PDF (pages separated by \f).
type TextExtractor interface {
	PDFText(ctx context.Context, pdf string) (string, error)
}

// OCRer runs OCR on a PDF or image and writes a searchable (PDF/A) PDF.
type OCRer interface {
	OCR(ctx context.Context, in, out string, o OCROptions) error
}

// Rasterizer renders the first page of a PDF to a PNG of the given width.
type Rasterizer interface {
	Thumbnail(ctx context.Context, pdf, outPNG string, width int) error
}

// Inspector reads a PDF's document information dictionary and XMP packet.
type Inspector interface {
	PDFInfo(ctx context.Context, pdf string) (info map[string]string, xmp []byte, err error)
}

// Tools is every external tool the parser uses.
type Tools interface {
	TextExtractor
	OCRer
	Rasterizer
	Inspector
}

// OCROptions are ocrmypdf's settings for one run.
type OCROptions struct {
	Mode     string // "skip" (--skip-text), "redo" (--redo-ocr), "force" (--force-ocr)
	Language string // tesseract languages, "eng+deu"
	ImageDPI int    // for image input without a credible resolution; 0 = none
	Pages    int    // OCR only the first Pages pages; 0 = all
	Archive  bool   // PDF/A output (else plain PDF)
	Sidecar  string // write the recognised text here ("" = none)
	Jobs     int
	TempDir  string // ocrmypdf's temporary files go here ("" = ToolConfig.TempDir)
}

// ToolConfig says where the tools are and how long they may run.
type ToolConfig struct {
	PDFToText, PDFInfo, PDFToPPM, OCRMyPDF string // binary names or paths; "" = default name
	// Timeout bounds pdftotext, pdfinfo and pdftoppm; OCRTimeout bounds
	// ocrmypdf. Zero means 2 minutes and 10 minutes.
	Timeout, OCRTimeout time.Duration
	// TempDir is where ocrmypdf keeps its temporary files ("" = default).
	TempDir string
}

// Exec runs the tools as subprocesses. It is safe for concurrent use and
// counts the wall time spent in tools (ToolTime).
type Exec struct {
	cfg      ToolConfig
	toolTime atomic.Int64
}

// NewExec returns the exec-based tools.
func NewExec(cfg ToolConfig) *Exec {
	def := func(s *string, name string) {
		if *s == "" {
			*s = name
		}
	}
	def(&cfg.PDFToText, "pdftotext")
	def(&cfg.PDFInfo, "pdfinfo")
	def(&cfg.PDFToPPM, "pdftoppm")
	def(&cfg.OCRMyPDF, "ocrmypdf")
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.OCRTimeout <= 0 {
		cfg.OCRTimeout = 10 * time.Minute
	}
	return &Exec{cfg: cfg}
}

// ToolTime is the total wall time spent in tool subprocesses so far.
func (e *Exec) ToolTime() time.Duration { return time.Duration(e.toolTime.Load()) }

// ToolError is a failed tool run: which tool, its exit code (-1 when it
// was killed or did not start), whether it timed out, and its stderr.
type ToolError struct {
	Tool     string
	ExitCode int
	TimedOut bool
	Stderr   string
	Err      error
}

func (e *ToolError) Error() string {
	switch {
	case e.TimedOut:
		return fmt.Sprintf("%s timed out", e.Tool)
	case e.ExitCode < 0:
		return fmt.Sprintf("%s failed: %v: %s", e.Tool, e.Err, e.Stderr)
	}
	return fmt.Sprintf("%s exited with status %d: %s", e.Tool, e.ExitCode, e.Stderr)
}

func (e *ToolError) Unwrap() error { return e.Err }

// Transient reports whether running the tool again might succeed: it
// timed out, was killed by a signal (crashed), or could not be started.
func (e *ToolError) Transient() bool { return e.TimedOut || e.ExitCode < 0 }

// run executes a tool with a time-out in its own process group, so a
// time-out also kills the tool's children (ocrmypdf's tesseract and gs).
// The tool dies with this process, however it ends (kill -9 included):
// on Linux the kernel kills the tool itself (Pdeathsig, see
// tools_linux.go), and a watchdog (watchGroup) kills its whole process
// group, so a restarted server does not find the previous run's tools
// still working on the same tasks.
func (e *Exec) run(ctx context.Context, timeout time.Duration, env []string, tool, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = toolProcAttr()
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &limitedBuffer{max: 8 << 10, buf: &stderr}
	start := time.Now()
	// The thread that starts the tool stays this goroutine's until the
	// tool has ended: Linux sends the parent-death signal when that
	// thread ends, not the process.
	unlock := lockThread()
	err := cmd.Start()
	if err == nil {
		stop := watchGroup(cmd.Process.Pid)
		err = cmd.Wait()
		stop()
	}
	unlock()
	e.toolTime.Add(int64(time.Since(start)))
	if err == nil {
		return stdout.Bytes(), nil
	}
	te := &ToolError{Tool: tool, ExitCode: -1, Stderr: strings.TrimSpace(stderr.String()), Err: err}
	if ctx.Err() == context.DeadlineExceeded {
		te.TimedOut = true
	} else if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Exited() {
		te.ExitCode = ee.ExitCode()
	}
	return nil, te
}

// watchGroup starts a watchdog that kills process group pgid if this
// process ends before calling stop: a shell reading a pipe only this
// process writes to. The kernel closes the pipe however this process
// ends, the read then fails and the shell kills the group; stop writes a
// line first, and the shell exits without killing. Without /bin/sh the
// tool runs unwatched (Pdeathsig still ends the tool itself on Linux).
func watchGroup(pgid int) (stop func()) {
	r, w, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", `read -r line || kill -KILL "-$1" 2>/dev/null`, "quire-tool-watchdog", strconv.Itoa(pgid))
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's ^C is the server's to handle
	if err := cmd.Start(); err != nil {
		w.Close()
		return func() {}
	}
	return func() {
		w.Write([]byte("done\n"))
		w.Close()
		cmd.Wait()
	}
}

type limitedBuffer struct {
	max int
	buf *bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// PDFText runs pdftotext -layout.
func (e *Exec) PDFText(ctx context.Context, pdf string) (string, error) {
	out, err := e.run(ctx, e.cfg.Timeout, nil, "pdftotext", e.cfg.PDFToText, "-q", "-layout", "-enc", "UTF-8", pdf, "-")
	return string(out), err
}

// OCR runs ocrmypdf.
func (e *Exec) OCR(ctx context.Context, in, out string, o OCROptions) error {
	args := []string{"--quiet"}
	switch o.Mode {
	case "redo":
		args = append(args, "--redo-ocr")
	case "force":
		args = append(args, "--force-ocr")
	default:
		args = append(args, "--skip-text")
	}
	if o.Language != "" {
		args = append(args, "-l", o.Language)
	}
	if o.ImageDPI > 0 {
		args = append(args, "--image-dpi", strconv.Itoa(o.ImageDPI))
	}
	if o.Pages > 0 {
		args = append(args, "--pages", "1-"+strconv.Itoa(o.Pages))
	}
	if o.Archive {
		args = append(args, "--output-type", "pdfa")
	} else {
		args = append(args, "--output-type", "pdf")
	}
	if o.Sidecar != "" {
		args = append(args, "--sidecar", o.Sidecar)
	}
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = 1
	}
	args = append(args, "--jobs", strconv.Itoa(jobs), in, out)
	var env []string
	if tmp := cmp.Or(o.TempDir, e.cfg.TempDir); tmp != "" {
		env = []string{"TMPDIR=" + tmp}
	}
	_, err := e.run(ctx, e.cfg.OCRTimeout, env, "ocrmypdf", e.cfg.OCRMyPDF, args...)
	return err
}

// Thumbnail runs pdftoppm on the first page.
func (e *Exec) Thumbnail(ctx context.Context, pdf, outPNG string, width int) error {
	prefix := strings.TrimSuffix(outPNG, ".png")
	_, err := e.run(ctx, e.cfg.Timeout, nil, "pdftoppm", e.cfg.PDFToPPM, "-png", "-singlefile", "-f", "1", "-l", "1",
		"-scale-to-x", strconv.Itoa(width), "-scale-to-y", "-1", pdf, prefix)
	return err
}

// PDFInfo runs pdfinfo twice: the information dictionary and the XMP packet.
func (e *Exec) PDFInfo(ctx context.Context, pdf string) (map[string]string, []byte, error) {
	out, err := e.run(ctx, e.cfg.Timeout, nil, "pdfinfo", e.cfg.PDFInfo, "-isodates", "-enc", "UTF-8", pdf)
	if err != nil {
		return nil, nil, err
	}
	info := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		info[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	xmp, err := e.run(ctx, e.cfg.Timeout, nil, "pdfinfo", e.cfg.PDFInfo, "-meta", pdf)
	if err != nil {
		return info, nil, nil
	}
	return info, bytes.TrimSpace(xmp), nil
}
