package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Validators are the cache validators of a response, sent back with the
// next request for the same URL so an unchanged resource answers 304 Not
// Modified without a body.
type Validators struct {
	ETag         string // the ETag header, sent back as If-None-Match
	LastModified string // the Last-Modified header, sent back as If-Modified-Since
}

// GetIfChanged is [Fetcher.Get] as a conditional request: it sends prev as
// If-None-Match and If-Modified-Since (when set) and reports a 304 answer
// as notModified with a nil body. next holds the validators of the answer
// (prev again on 304). The guard, limits and errors are Get's.
func (f *Fetcher) GetIfChanged(ctx context.Context, rawURL string, prev Validators) (body []byte, next Validators, notModified bool, err error) {
	if len(rawURL) > maxURLLen {
		return nil, prev, false, fmt.Errorf("fetch: URL is %d bytes, longer than %d: %w", len(rawURL), maxURLLen, ErrBadURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, prev, false, fmt.Errorf("fetch: cannot parse URL: %w: %w", ErrBadURL, err)
	}
	where := shortURL(u)
	if err := f.guard.checkURL(u); err != nil {
		return nil, prev, false, fmt.Errorf("fetch %s: %w", where, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, prev, false, fmt.Errorf("fetch %s: %w: %w", where, ErrBadURL, err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", f.accept)
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, prev, false, f.doError(where, err)
	}
	defer resp.Body.Close()
	if resp.Request != nil && resp.Request.URL != nil {
		where = shortURL(resp.Request.URL)
	}
	if resp.StatusCode == http.StatusNotModified {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, prev, true, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, prev, false, &StatusError{URL: where, StatusCode: resp.StatusCode, Status: resp.Status}
	}
	next = Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if resp.ContentLength > f.maxBytes {
		return nil, prev, false, fmt.Errorf("fetch %s: Content-Length is %d bytes, over the limit of %d (Config.MaxBytes): %w",
			where, resp.ContentLength, f.maxBytes, ErrTooLarge)
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, f.maxBytes+1))
	if n > f.maxBytes {
		return nil, prev, false, fmt.Errorf("fetch %s: body is over the limit of %d bytes (Config.MaxBytes): %w", where, f.maxBytes, ErrTooLarge)
	}
	if err != nil {
		return nil, prev, false, f.doError(where, fmt.Errorf("reading body after %d bytes: %w", n, err))
	}
	return buf.Bytes(), next, false, nil
}
