package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sharecard/sharecard/jobs"
	"github.com/sharecard/sharecard/render/article"
)

// HandleJob renders a webhook's job: it is the handler the job queue runs,
// in this or another replica. The result is the manifest. Failures a retry
// cannot fix (those a client would get a 4xx for: a refused photo URL, an
// unusable photo, an unknown layout) are marked permanent, so the job fails
// at once instead of after every attempt. Failures that pass by themselves
// (the store unreachable or full, a photo host failing, a timeout) are
// marked transient: the queue retries them for hours (jobs.Config.RetryFor).
// HandleJob does not deliver callbacks; JobTask asks the queue to.
func (s *Server) HandleJob(ctx context.Context, id string, payload []byte) (json.RawMessage, error) {
	out, err := s.JobTask(ctx, id, payload)
	return out.Result, err
}

// JobTask is HandleJob for jobs.Queue.RunTasks: the job is done once its
// images and manifest are stored, and a source with a callback URL
// (Config.HookCallbacks) gets the manifest POSTed apart from the job, by
// jobs.Queue.RunCallbacks calling DeliverCallback.
func (s *Server) JobTask(ctx context.Context, id string, payload []byte) (jobs.Outcome, error) {
	m, source, err := s.runJob(asJob(ctx), id, payload)
	if err != nil && ctx.Err() == nil {
		switch st := problemFor(err).Status; {
		case st == http.StatusServiceUnavailable, st == http.StatusInsufficientStorage, st == http.StatusBadGateway,
			st == http.StatusGatewayTimeout, st == http.StatusRequestTimeout, st == http.StatusTooManyRequests:
			return jobs.Outcome{}, fmt.Errorf("%w: %w", jobs.ErrTransient, err)
		case st >= 400 && st < 500:
			return jobs.Outcome{}, fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
		}
	}
	if err != nil {
		return jobs.Outcome{}, err
	}
	var callback string
	if src, ok := s.cfg.hookSource(source); ok {
		callback = src.CallbackURL
	}
	return jobs.Outcome{Result: m, Callback: callback}, nil
}

func (s *Server) runJob(ctx context.Context, id string, payload []byte) (json.RawMessage, string, error) {
	var job hookJob
	if err := json.Unmarshal(payload, &job); err != nil {
		return nil, "", fmt.Errorf("job %s: bad payload: %w", id, err)
	}
	a, err := article.ParseRemote("job", job.Article)
	if err != nil {
		return nil, "", err
	}
	l, err := s.layout(a.Layout)
	if err != nil {
		return nil, "", err
	}
	req := &renderRequest{article: a, layout: l}
	if a.Photo != "" {
		if req.photo, err = s.photoBytes(ctx, a.Photo); err != nil {
			return nil, "", err
		}
	}
	m, err := s.renderAll(ctx, req, contentKey(a, req.photo, l, ""), "hooks")
	if err != nil {
		return nil, "", err
	}
	return m, job.Source, nil
}

// DeliverCallback POSTs a done job's manifest to its callback URL, once,
// within Config.CallbackTimeout; it is the jobs.Deliver of
// jobs.Queue.RunCallbacks, which retries it. A 2xx answer is success.
// The request is signed with Standard Webhooks: webhook-id is the job id
// (the same on every attempt, so the receiver can drop duplicates),
// webhook-timestamp the time of the attempt, and webhook-signature the
// HMAC under the source's callback secret, or its first secret.
func (s *Server) DeliverCallback(ctx context.Context, url, id string, manifest json.RawMessage) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CallbackTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(manifest))
	if err != nil {
		return fmt.Errorf("callback %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sharecard-Job-Id", id)
	if secret := s.cfg.callbackSecret(url); len(secret) > 0 {
		for k, v := range SignStandard(id, manifest, time.Now(), secret) {
			req.Header[k] = v
		}
	}
	resp, err := s.callbackClient.Do(req)
	if err != nil {
		return fmt.Errorf("callback %s: %w", url, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("callback %s: status %s", url, resp.Status)
	}
	return nil
}
