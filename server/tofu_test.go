package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sharecard/sharecard/render/preset"
)

// tofu is a character no built-in font has (Sutton SignWriting).
const tofu = "\U0001D800"

// TestMissingGlyphs_422: a render, a card or a webhook job whose text has
// a character no font has is refused: 422 naming the article field, the
// character and its code point; the job fails at once with that message.
func TestMissingGlyphs_422(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	resp := post(t, ts.URL+"/v1/render?preset=og", "application/json", []byte(`{"headline": "Troll `+tofu+` sighted"}`))
	p := decodeProblem(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || p.Field != "headline" || !strings.Contains(p.Detail, "headline: no font has U+1D800 ("+tofu+")") {
		t.Errorf("render: %d %+v; want 422, field headline, the code point", resp.StatusCode, p)
	}

	card := SignCardURL([]byte("test-key"), ts.URL, "standard", "og", preset.FormatJPEG, url.Values{"headline": {"Fine"}, "card_headline": {"Troll " + tofu}})
	r, err := http.Get(card)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	cp := decodeProblem(t, r)
	if r.StatusCode != http.StatusUnprocessableEntity || cp.Field != "card_headline" || !strings.Contains(cp.Detail, "U+1D800") {
		t.Errorf("card: %d %+v; want 422, field card_headline", r.StatusCode, cp)
	}

	_, hs, _ := newHookServer(t)
	body := []byte(`{"post": {"current": {"title": "Troll ` + tofu + ` sighted"}}}`)
	hresp := postHook(t, hs.URL+"/v1/hooks/ghost", body, SignHook([]byte("hook-secret"), body, time.Now()))
	var accepted struct {
		Status string `json:"status"`
	}
	json.NewDecoder(hresp.Body).Decode(&accepted)
	st := waitJob(t, hs, accepted.Status)
	if st.State != "failed" || st.Attempts != 1 || !strings.Contains(st.Error, "headline: no font has U+1D800") {
		t.Errorf("job: state %q after %d attempts, error %q; want failed at once naming U+1D800", st.State, st.Attempts, st.Error)
	}
}
