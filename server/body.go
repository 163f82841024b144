package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// bodyReader reads a request body under two bounds: at most limit bytes
// (more is a 413 naming the limit and what it is for), and no slower than
// rate bytes per second after a grace time (slower is a 408). The rate is
// enforced with the connection's read deadline, moved forward as bytes
// arrive: byte n must have arrived by start + grace + n/rate, and the whole
// body by the request's deadline (so a body just above the rate still
// cannot hold a pool place longer than a request may take).
type bodyReader struct {
	r        io.Reader
	rc       *http.ResponseController
	limit    int64
	what     string // "the article", "the webhook body": what the limit is for
	fix      string // how a client gets under the limit
	rate     int64
	grace    time.Duration
	start    time.Time
	until    time.Time // the request's deadline, or zero
	n        int64
	deadline bool // a read deadline is set and must be cleared
	eof      bool
	err      error
}

// newBodyReader wraps r.Body. done must be called when the handler stops
// reading, so that a deadline does not outlive the body.
func (s *Server) newBodyReader(w http.ResponseWriter, r *http.Request, limit int64, what, fix string) *bodyReader {
	until, _ := r.Context().Deadline()
	return &bodyReader{r: r.Body, rc: http.NewResponseController(w), limit: limit, what: what, fix: fix,
		rate: s.cfg.MinUploadRate, grace: s.cfg.UploadGrace, start: time.Now(), until: until}
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.err != nil { // b.err is set once b.n is over the limit
		return 0, b.err
	}
	if int64(len(p)) > b.limit+1-b.n {
		p = p[:b.limit+1-b.n] // one byte over tells "too large" from "exactly at the limit"
	}
	if b.rate > 0 || !b.until.IsZero() {
		due := b.until
		if b.rate > 0 {
			if d := b.start.Add(b.grace + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second))); due.IsZero() || d.Before(due) {
				due = d
			}
		}
		// Without support for deadlines (a recorder in tests) the rate is
		// not enforced; the request deadline still is.
		if b.rc.SetReadDeadline(due) == nil {
			b.deadline = true
		}
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		b.eof = true
		b.done()
	}
	var mbe *http.MaxBytesError
	switch {
	case err == nil || err == io.EOF:
	case errors.Is(err, os.ErrDeadlineExceeded) && !b.until.IsZero() && !time.Now().Before(b.until):
		err = &Problem{Status: http.StatusRequestTimeout, Title: "Body too slow",
			Detail: fmt.Sprintf("%s did not arrive within the request's deadline of %s (%d bytes came); send it faster or smaller",
				b.what, b.until.Sub(b.start).Round(time.Millisecond), b.n)}
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = &Problem{Status: http.StatusRequestTimeout, Title: "Body too slow",
			Detail: fmt.Sprintf("%s arrived slower than %d bytes/s (after %s of grace: %d bytes in %s); send it at a steady pace or use a faster link",
				b.what, b.rate, b.grace, b.n, time.Since(b.start).Round(time.Millisecond))}
	case errors.As(err, &mbe):
		err = tooLarge(mbe.Limit, "the request body", "send less")
	}
	if err != nil && err != io.EOF {
		b.err = err
	}
	if b.n > b.limit && b.err == nil {
		b.err = tooLarge(b.limit, b.what, b.fix)
		return n - int(b.n-b.limit), b.err
	}
	return n, err
}

// done clears the read deadline: once the body is read, net/http reads
// the connection in the background to notice a client going away, and a
// deadline firing then would cancel the request.
func (b *bodyReader) done() {
	if b.deadline {
		b.deadline = false
		_ = b.rc.SetReadDeadline(time.Time{})
	}
}

// sawEOF reports whether the whole body was read.
func (b *bodyReader) sawEOF() bool { return b.eof }

// tooLarge is the 413 answer for a body or part over its limit.
func tooLarge(limit int64, what, fix string) *Problem {
	return &Problem{Status: http.StatusRequestEntityTooLarge, Title: "Request too large",
		Detail: fmt.Sprintf("%s is over the limit of %d bytes; %s", what, limit, fix)}
}

// refuse answers a request whose body is not (fully) read: the connection
// is closed after the answer, and the rest of the body is not read, not
// even the 256 KB net/http would read to keep the connection (it reads
// that on Close; a read deadline in the past stops it at once).
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	s.problem(w, r, err)
}

// checkLength refuses at once a body whose declared Content-Length is over
// limit.
func checkLength(r *http.Request, limit int64, what, fix string) error {
	if r.ContentLength > limit {
		return tooLarge(limit, what, fix)
	}
	return nil
}
