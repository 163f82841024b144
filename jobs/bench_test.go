package jobs

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
)

// BenchmarkEnqueue measures one durable Enqueue (publish, synced to disk,
// status written) on the embedded server.
func BenchmarkEnqueue(b *testing.B) {
	cfg := Config{DataDir: b.TempDir()}
	q, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	payload := make([]byte, 2048)
	for i := 0; b.Loop(); i++ {
		if _, err := q.Enqueue(context.Background(), "bench-"+strconv.Itoa(i), payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoundTrip measures Enqueue to done with a handler that does
// nothing, one job at a time: the queue's own overhead per job.
func BenchmarkRoundTrip(b *testing.B) {
	cfg := Config{DataDir: b.TempDir()}
	q, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	done := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_ = q.Run(ctx, func(context.Context, string, []byte) (json.RawMessage, error) {
			done <- struct{}{}
			return nil, nil
		})
	}()
	for i := 0; b.Loop(); i++ {
		if _, err := q.Enqueue(context.Background(), "rt-"+strconv.Itoa(i), nil); err != nil {
			b.Fatal(err)
		}
		<-done
	}
}
