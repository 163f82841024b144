package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sharecard/jobs"
	"sharecard/render/article"
	"strings"
	"time"
)

// HandleJob renders a webhook's job: it is the handler the job queue runs,
// in this or another replica. The result is the manifest. Failures a retry
// cannot fix (those a client would get a 4xx for: a refused photo URL, an
// unusable photo, an unknown layout) are marked permanent, so the job fails
// at once instead of after every attempt.
func (s *Server) HandleJob(ctx context.Context, id string, payload []byte) (json.RawMessage, error) {
	m, err := s.runJob(ctx, id, payload)
	if err != nil && ctx.Err() == nil {
		if st := problemFor(err).Status; st >= 400 && st < 500 && st != http.StatusRequestTimeout && st != http.StatusTooManyRequests {
			return nil, fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
		}
	}
	return m, err
}

func (s *Server) runJob(ctx context.Context, id string, payload []byte) (json.RawMessage, error) {
	var job hookJob
	if err := json.Unmarshal(payload, &job); err != nil {
		return nil, fmt.Errorf("job %s: bad payload: %w", id, err)
	}
	a, err := article.ParseRemote("job", job.Article)
	if err != nil {
		return nil, err
	}
	l, err := s.layout(a.Layout)
	if err != nil {
		return nil, err
	}
	req := &renderRequest{article: a, layout: l}
	if a.Photo != "" {
		if req.photo, err = s.photoBytes(ctx, a.Photo); err != nil {
			return nil, err
		}
	}
	m, err := s.renderAll(ctx, req, contentKey(a, req.photo, l, ""), "hooks")
	if err != nil {
		return nil, err
	}
	if cb := s.cfg.HookCallbacks[job.Source]; cb != "" {
		if err := s.callback(ctx, cb, m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// callback POSTs the manifest to a configured URL, retrying with backoff.
func (s *Server) callback(ctx context.Context, url string, manifest []byte) error {
	var last error
	for attempt, wait := range []time.Duration{0, time.Second, 4 * time.Second, 15 * time.Second} {
		if wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(string(manifest)))
		if err != nil {
			return fmt.Errorf("callback %s: %w", url, err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.callbackClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			if resp.StatusCode < 300 {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = fmt.Errorf("callback %s, attempt %d: %w", url, attempt+1, err)
		s.log.Warn("callback failed", "url", url, "attempt", attempt+1, "err", err)
	}
	return last
}
